"""Installing the front-end packages the pages use (``make`` runs ``python -m
acuclinic.core.frontend``): each tarball comes from the npm registry, is checked against
the ``dist.integrity`` hash pinned in ``frontend.json`` (a mismatch is refused, nothing is
written), and only the files named there are unpacked into ``core/static/vendor/``, which
git ignores. WhiteNoise then serves them from our own origin, as the CSP requires.

No Node, no npm: only the standard library, so a fresh machine needs nothing but Python.
"""

import base64
import hashlib
import io
import json
import os
import sys
import tarfile
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

MANIFEST = Path(__file__).with_name("frontend.json")
VENDOR_DIR = Path(__file__).parent / "static" / "vendor"
REGISTRY = os.environ.get("ACUCLINIC_NPM_REGISTRY", "https://registry.npmjs.org").rstrip("/")
STAMP = ".installed.json"  # what is installed, so a second run downloads nothing


class IntegrityError(Exception):
    """The tarball is not the one the manifest pins."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # "sha512-<base64>", as the registry's dist.integrity gives it
    files: dict[str, str]  # path in the tarball -> path under the vendor directory

    @property
    def tarball_url(self) -> str:
        basename = self.name.rsplit("/", 1)[-1]
        return f"{REGISTRY}/{self.name}/-/{basename}-{self.version}.tgz"


def read_manifest(path: Path = MANIFEST) -> list[Package]:
    data = json.loads(path.read_text())
    return [
        Package(p["name"], p["version"], p["integrity"], dict(p["files"])) for p in data["packages"]
    ]


def check_integrity(data: bytes, integrity: str) -> None:
    """Raise IntegrityError unless ``data`` has the Subresource-Integrity hash given."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512" or not expected:
        raise IntegrityError(f"Only sha512 integrity hashes are accepted, not {integrity!r}.")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise IntegrityError(
            f"Integrity mismatch: expected sha512-{expected}, downloaded sha512-{actual}."
        )


def unpack(package: Package, tarball: bytes, into: Path) -> list[Path]:
    """Write the package's named files under ``into``; all of them or none."""
    contents = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for member_name in package.files:
            member = archive.getmember(member_name)  # KeyError: the manifest is wrong
            if not member.isfile():
                raise IntegrityError(f"{member_name} is not a plain file in {package.name}.")
            contents[member_name] = archive.extractfile(member).read()
    written = []
    for member_name, target in package.files.items():
        destination = (into / target).resolve()
        if into.resolve() not in destination.parents:
            raise ValueError(f"{target} would be written outside {into}.")
        destination.parent.mkdir(parents=True, exist_ok=True)
        partial = destination.with_suffix(destination.suffix + ".part")
        partial.write_bytes(contents[member_name])
        partial.replace(destination)
        written.append(destination)
    return written


def _download(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=60) as response:
        return response.read()


def install(
    packages: list[Package] | None = None,
    *,
    into: Path = VENDOR_DIR,
    download: Callable[[str], bytes] = _download,
) -> list[Package]:
    """Install every package not installed yet at its pinned version; return those
    fetched. Raises IntegrityError (before writing anything of that package) on a
    tarball whose hash differs from the pinned one."""
    packages = read_manifest() if packages is None else packages
    stamp_path = into / STAMP
    installed = json.loads(stamp_path.read_text()) if stamp_path.exists() else {}
    fetched = []
    for package in packages:
        present = all((into / target).is_file() for target in package.files.values())
        if present and installed.get(package.name) == package.integrity:
            continue
        tarball = download(package.tarball_url)
        check_integrity(tarball, package.integrity)
        unpack(package, tarball, into)
        installed[package.name] = package.integrity
        fetched.append(package)
    into.mkdir(parents=True, exist_ok=True)
    stamp_path.write_text(json.dumps(installed, indent=1, sort_keys=True) + "\n")
    return fetched


def main() -> int:
    try:
        fetched = install()
    except (IntegrityError, OSError) as exc:
        print(f"Front-end packages not installed: {exc}", file=sys.stderr)
        return 1
    for package in fetched:
        print(f"Installed {package.name} {package.version} into {VENDOR_DIR}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
