"""`python -m api.graphiql.install FOLDER`: GraphiQL's pinned files from their npm packages.

`npm pack` fetches each package's tarball (checked by npm against the registry's sha512); each
file taken from it must match its pinned sha384, or nothing is installed. Run by `make setup`.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from api.graphiql.pins import ASSETS, STAMP, Asset, integrity_of


class InstallFailed(RuntimeError):
    pass


def install(folder: Path) -> None:
    with tempfile.TemporaryDirectory() as scratch:
        tarballs = _pack(Path(scratch))
        files = {asset: _extract(tarballs[asset.spec], asset) for asset in ASSETS}
    (folder / STAMP).unlink(missing_ok=True)
    for asset, content in files.items():
        target = folder / asset.local_path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    (folder / STAMP).write_text("".join(f"{a.local_path} {a.integrity}\n" for a in ASSETS))


def _pack(scratch: Path) -> dict[str, Path]:
    """Each pinned package's tarball, by `name@version`."""
    npm = shutil.which("npm")
    if npm is None:
        raise InstallFailed("npm is not installed: GraphiQL's files come from its packages.")
    specs = sorted({asset.spec for asset in ASSETS})
    command = [npm, "pack", *specs, "--json", "--pack-destination", str(scratch)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise InstallFailed(f"npm pack {' '.join(specs)} failed:\n{done.stderr}")
    packed = json.loads(done.stdout)
    return {f"{p['name']}@{p['version']}": scratch / p["filename"] for p in packed}


def _extract(tarball: Path, asset: Asset) -> bytes:
    with tarfile.open(tarball) as archive:
        member = archive.extractfile(f"package/{asset.path}")
        if member is None:
            raise InstallFailed(f"{asset.spec} has no file {asset.path}")
        content = member.read()
    if integrity_of(content) != asset.integrity:
        raise InstallFailed(f"{asset.local_path} is not the pinned file ({asset.integrity})")
    return content


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m api.graphiql.install FOLDER", file=sys.stderr)
        return 2
    try:
        install(Path(argv[0]))
    except InstallFailed as failure:
        print(failure, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
