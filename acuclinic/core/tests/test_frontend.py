"""The front-end install step: a tarball is unpacked only when it is the one pinned."""

import base64
import hashlib
import io
import json
import tarfile

import pytest

from acuclinic.core import frontend


def _tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def _integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


def _package(tarball: bytes, integrity: str | None = None) -> frontend.Package:
    return frontend.Package(
        name="@example/widget",
        version="1.2.3",
        integrity=integrity or _integrity(tarball),
        files={"package/dist/widget.js": "widget/widget.js"},
    )


TARBALL = _tarball({"package/dist/widget.js": b"var w = 1;", "package/README.md": b"readme"})


def test_a_tarball_matching_its_pin_is_unpacked_and_only_the_named_files(tmp_path):
    asked = []

    def download(url):
        asked.append(url)
        return TARBALL

    fetched = frontend.install([_package(TARBALL)], into=tmp_path, download=download)

    assert [p.name for p in fetched] == ["@example/widget"]
    assert asked == ["https://registry.npmjs.org/@example/widget/-/widget-1.2.3.tgz"]
    assert (tmp_path / "widget" / "widget.js").read_bytes() == b"var w = 1;"
    assert not list(tmp_path.rglob("README.md"))


def test_a_tarball_whose_hash_differs_is_refused_and_nothing_is_written(tmp_path):
    tampered = _tarball({"package/dist/widget.js": b"steal(document.cookie);"})

    with pytest.raises(frontend.IntegrityError, match="Integrity mismatch"):
        frontend.install([_package(TARBALL)], into=tmp_path, download=lambda url: tampered)

    assert not (tmp_path / "widget" / "widget.js").exists()


def test_a_hash_other_than_sha512_is_refused(tmp_path):
    weak = "sha1-" + base64.b64encode(hashlib.sha1(TARBALL).digest()).decode()

    with pytest.raises(frontend.IntegrityError, match="sha512"):
        frontend.install([_package(TARBALL, weak)], into=tmp_path, download=lambda url: TARBALL)


def test_a_second_install_downloads_nothing_and_a_new_pin_downloads_again(tmp_path):
    frontend.install([_package(TARBALL)], into=tmp_path, download=lambda url: TARBALL)

    def must_not_download(url):
        raise AssertionError("downloaded again")

    assert frontend.install([_package(TARBALL)], into=tmp_path, download=must_not_download) == []

    newer = _tarball({"package/dist/widget.js": b"var w = 2;"})
    frontend.install([_package(newer)], into=tmp_path, download=lambda url: newer)
    assert (tmp_path / "widget" / "widget.js").read_bytes() == b"var w = 2;"


def test_a_target_outside_the_vendor_folder_is_refused(tmp_path):
    package = frontend.Package(
        name="@example/widget",
        version="1.2.3",
        integrity=_integrity(TARBALL),
        files={"package/dist/widget.js": "../escaped.js"},
    )

    with pytest.raises(ValueError, match="outside"):
        frontend.install([package], into=tmp_path / "vendor", download=lambda url: TARBALL)

    assert not (tmp_path / "escaped.js").exists()


def test_the_manifest_pins_every_package_by_version_and_sha512():
    packages = frontend.read_manifest()
    raw = json.loads(frontend.MANIFEST.read_text())["packages"]

    assert {p.name for p in packages} >= {"@event-calendar/build"}
    for package, entry in zip(packages, raw, strict=True):
        assert package.version == entry["version"] and package.version[0].isdigit()
        assert package.integrity.startswith("sha512-")
        assert package.files
