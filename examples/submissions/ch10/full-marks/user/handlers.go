package main

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"regexp"
	"strings"
)

// api is the HTTP side of the service.
//
//	GET    /healthz        200 "ok": the process is alive (it says nothing about the stores)
//	GET    /ready          200 {"redis":"ok","mysql":"ok"}, or 503 with the errors
//	POST   /register       {"username","email","password"} → 201 and the new user
//	GET    /users/<name>   the user (header X-Cache: HIT when it came from Redis)
//	DELETE /users/<name>   204
//	POST   /login          {"username","password"} → {"token", "expires_in"}
type api struct {
	st *store
}

func newAPI(st *store) *api { return &api{st: st} }

func (a *api) routes() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("/healthz", a.healthz)
	mux.HandleFunc("/ready", a.ready)
	mux.HandleFunc("/register", a.register)
	mux.HandleFunc("/login", a.login)
	mux.HandleFunc("/users/", a.users)
	return mux
}

var validName = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,64}$`)

func (a *api) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (a *api) ready(w http.ResponseWriter, r *http.Request) {
	body, status := map[string]string{}, http.StatusOK
	for name, err := range a.st.check(r.Context()) {
		body[name] = "ok"
		if err != nil {
			body[name], status = err.Error(), http.StatusServiceUnavailable
		}
	}
	writeJSON(w, status, body)
}

func (a *api) register(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	var in struct{ Username, Email, Password string }
	if !readJSON(w, r, &in) {
		return
	}
	switch {
	case !validName.MatchString(in.Username):
		writeError(w, http.StatusBadRequest, "username: 1 to 64 letters, digits, '.', '_' or '-'")
		return
	case !strings.Contains(in.Email, "@") || len(in.Email) > 255:
		writeError(w, http.StatusBadRequest, "email: not an e-mail address")
		return
	case len(in.Password) < 6:
		writeError(w, http.StatusBadRequest, "password: at least 6 characters")
		return
	}
	hash, err := hashPassword(in.Password) // only the hash is stored, never the password
	if err != nil {
		writeStoreError(w, err)
		return
	}
	u, err := a.st.createUser(r.Context(), in.Username, in.Email, hash)
	if err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusCreated, u)
}

func (a *api) users(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/users/")
	if !validName.MatchString(name) {
		writeError(w, http.StatusNotFound, "no such user")
		return
	}
	switch r.Method {
	case http.MethodGet:
		u, cached, err := a.st.getUser(r.Context(), name)
		if err != nil {
			writeStoreError(w, err)
			return
		}
		w.Header().Set("X-Cache", map[bool]string{true: "HIT", false: "MISS"}[cached])
		writeJSON(w, http.StatusOK, u)
	case http.MethodDelete:
		if err := a.st.deleteUser(r.Context(), name); err != nil {
			writeStoreError(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	default:
		w.Header().Set("Allow", "GET, DELETE")
		writeError(w, http.StatusMethodNotAllowed, "use GET or DELETE")
	}
}

func (a *api) login(w http.ResponseWriter, r *http.Request) {
	if !allow(w, r, http.MethodPost) {
		return
	}
	var in struct{ Username, Password string }
	if !readJSON(w, r, &in) {
		return
	}
	u, err := a.st.userFromDB(r.Context(), in.Username)
	if errors.Is(err, errNotFound) || (err == nil && !checkPassword(in.Password, u.passwordHash)) {
		writeError(w, http.StatusUnauthorized, "wrong username or password")
		return
	}
	if err != nil {
		writeStoreError(w, err)
		return
	}
	raw := make([]byte, 24)
	if _, err := rand.Read(raw); err != nil {
		writeStoreError(w, err)
		return
	}
	token := hex.EncodeToString(raw)
	if err := a.st.saveToken(r.Context(), token, u.Username); err != nil {
		writeStoreError(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]interface{}{
		"token": token, "expires_in": int(tokenTTL.Seconds())})
}

// allow answers 405 unless the request uses method.
func allow(w http.ResponseWriter, r *http.Request, method string) bool {
	if r.Method == method {
		return true
	}
	w.Header().Set("Allow", method)
	writeError(w, http.StatusMethodNotAllowed, "use "+method)
	return false
}

// readJSON decodes a small JSON body into v, or answers 400.
func readJSON(w http.ResponseWriter, r *http.Request, v interface{}) bool {
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "the body must be JSON: "+err.Error())
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v interface{}) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		log.Printf("writing the response: %v", err)
	}
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// writeStoreError turns a store error into a status: 404 and 409 are the client's
// business; anything else means a store is not reachable or failed (503).
func writeStoreError(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, errNotFound):
		writeError(w, http.StatusNotFound, err.Error())
	case errors.Is(err, errExists):
		writeError(w, http.StatusConflict, err.Error())
	default:
		log.Printf("store error: %v", err)
		writeError(w, http.StatusServiceUnavailable, err.Error())
	}
}
