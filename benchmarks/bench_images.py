"""Time `lab images build`: cold (our images removed first) and warm (everything cached).

    python benchmarks/bench_images.py                 # cold without the base, then warm
    python benchmarks/bench_images.py --cold-base     # the base image removed as well
    python benchmarks/bench_images.py --cold-rootfs   # ... and the cached debootstrap tar
    python benchmarks/bench_images.py --warm-only     # removes nothing
    python benchmarks/bench_images.py redis echoserver  # only these images (and what they need)

Cold removes the clabs/ images being timed and the dangling images left by their
builds (build stages carry our label too), so nothing comes from docker's cache.
Images a container still uses cannot be removed: they are listed, and the cold
figure then includes their cache. This touches the engine that everyone on this
machine shares: run it when nobody is in the middle of a lab.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from grader import images, labels, rootfs


def remove_ours(client, names: set[str]) -> list[str]:
    """Remove the named images and our dangling build leftovers; returns what stayed."""
    import docker.errors

    stuck = []
    for name in sorted(names):
        try:
            client.api.remove_image(name)
        except docker.errors.ImageNotFound:
            pass
        except docker.errors.APIError as err:
            stuck.append(f"{name}: {err.explanation}")
    # leftovers of those builds: their own and their build stages (labelled like the stage's FROM)
    specs = {s.name: s for s in images.load_manifest()}
    purge = names | {dep for name in names for dep in specs[name].depends if dep != images.BASE}
    for image in client.api.images(filters={"dangling": True, "label": labels.IMAGE}):
        if (image.get("Labels") or {}).get(labels.IMAGE) not in purge:
            continue
        try:
            client.api.remove_image(image["Id"])
        except docker.errors.APIError:
            pass  # a parent of another leftover, or in use: fine either way
    return stuck


def timed_build(client, names: list[str] | None) -> tuple[float, list]:
    start = time.monotonic()
    results = images.build(names, client=client, progress=True)
    return time.monotonic() - start, results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="images to time (default: all)")
    parser.add_argument("--cold-base", action="store_true", help="remove clabs/debian:bookworm too")
    parser.add_argument("--cold-rootfs", action="store_true", help="also delete the cached debootstrap tar")
    parser.add_argument("--warm-only", action="store_true", help="remove nothing, time a warm build")
    options = parser.parse_args()

    client = images.docker_client()
    specs = images.resolve(options.names) if options.names else images.load_manifest()
    timed = [s.name for s in specs]
    rows = []
    if not options.warm_only:
        images.build(timed, client=client, progress=False)  # everything present before removing
        doomed = {s.name for s in specs if s.name != images.BASE}
        if options.cold_base or options.cold_rootfs:
            # the base goes with every image built on it
            doomed = {s.name for s in images.load_manifest()}
            timed = None if not options.names else timed
            if options.cold_rootfs:
                rootfs.tarball_path().unlink(missing_ok=True)
        for line in remove_ours(client, doomed):
            print(f"still present (in use): {line}", file=sys.stderr)
        seconds, results = timed_build(client, timed)
        label = "cold" + (" (base and rootfs too)" if options.cold_rootfs else " (base too)" if options.cold_base else "")
        rows.append((label, seconds, results))
    seconds, results = timed_build(client, timed)
    rows.append(("warm", seconds, results))

    print(f"\n{'image':<26}" + "".join(f"{label:>26}" for label, _, _ in rows))
    per_image = [{r.name: r for r in results} for _, _, results in rows]
    for name in per_image[-1]:
        cells = "".join(f"{table[name].seconds:>24.1f} s" if name in table else f"{'-':>26}" for table in per_image)
        print(f"{name:<26}{cells}")
    print(f"{'total':<26}" + "".join(f"{seconds:>24.1f} s" for _, seconds, _ in rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
