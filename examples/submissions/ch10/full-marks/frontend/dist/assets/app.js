// The whole "app": it draws the view that belongs to the address bar's path. The server
// never sees /login as a page of its own; it only has to send index.html for it.
const views = {
  "/": "<p>Welcome. The backend lives at <code>/api</code> once the Ingress is up.</p>",
  "/login": "<form><label>user <input name=username></label> " +
            "<label>password <input name=password type=password></label> " +
            "<button>log in</button></form>",
};

function render() {
  const view = views[location.pathname] ?? "<p>No such page.</p>";
  document.getElementById("view").innerHTML = view;
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-route]");
  if (!link) return;
  event.preventDefault();
  history.pushState({}, "", link.getAttribute("href"));
  render();
});
window.addEventListener("popstate", render);
window.addEventListener("DOMContentLoaded", render);
