"""PEP 517 build backend: setuptools, with a standard-library fallback.

Everything is delegated to setuptools.build_meta.  setuptools older than
70.1 needs the separate `wheel` package to build wheels; where it is missing
(a Python without python3-wheel, offline, with --no-build-isolation) this
backend writes the wheel itself -- the package is pure Python, so the wheel
is just its files and the metadata below -- and the install still works
without a network.
"""

import base64
import hashlib
import os
import re
import sysconfig
import zipfile

from setuptools import build_meta as _st

HERE = os.path.dirname(os.path.abspath(__file__))

try:  # setuptools >= 70.1 builds wheels itself; older ones need `wheel`
    import wheel  # noqa: F401
    _HAVE_WHEEL = True
except ImportError:
    from setuptools import __version__ as _stv
    _HAVE_WHEEL = tuple(int(x) for x in re.findall(r"\d+", _stv)[:2]) >= \
        (70, 1)

build_sdist = _st.build_sdist
get_requires_for_build_sdist = _st.get_requires_for_build_sdist

if _HAVE_WHEEL:
    build_wheel = _st.build_wheel
    get_requires_for_build_wheel = _st.get_requires_for_build_wheel
    prepare_metadata_for_build_wheel = _st.prepare_metadata_for_build_wheel
    build_editable = getattr(_st, "build_editable", None)
    get_requires_for_build_editable = getattr(
        _st, "get_requires_for_build_editable", None)
    if build_editable is None:
        del build_editable, get_requires_for_build_editable
else:
    def get_requires_for_build_wheel(config_settings=None):
        return []

    def build_wheel(wheel_directory, config_settings=None,
                    metadata_directory=None):
        return _stdlib_wheel(wheel_directory)


def _project():
    """name, version, description, requires-python from pyproject.toml."""
    with open(os.path.join(HERE, "pyproject.toml"), encoding="utf-8") as f:
        src = f.read()
    project = src.split("[project]", 1)[1].split("\n[", 1)[0]

    def get(key):
        m = re.search(rf'^{key}\s*=\s*"([^"]*)"', project, re.M)
        return m.group(1) if m else ""
    return get("name"), get("version"), get("description"), \
        get("requires-python")


def _digest(data):
    d = hashlib.sha256(data).digest()
    return "sha256=" + base64.urlsafe_b64encode(d).rstrip(b"=").decode()


def _stdlib_wheel(wheel_directory):
    name, version, summary, requires = _project()
    pkg = os.path.join(HERE, "vocx")
    files = []
    native = False
    for fn in sorted(os.listdir(pkg)):
        if fn.endswith(".py"):
            files.append(fn)
        elif fn.startswith("libvocx.so"):
            files.append(fn)
            native = True
    if native:
        tag = "py3-none-" + re.sub(r"[-.]", "_", sysconfig.get_platform())
    else:
        tag = "py3-none-any"
    dist_info = f"{name}-{version}.dist-info"
    readme = ""
    try:
        with open(os.path.join(HERE, "README.md"), encoding="utf-8") as f:
            readme = f.read()
    except OSError:
        pass
    metadata = (
        "Metadata-Version: 2.1\n"
        f"Name: {name}\nVersion: {version}\nSummary: {summary}\n"
        "License: MIT\n"
        f"Requires-Python: {requires}\n"
        "Provides-Extra: pandas\n"
        'Requires-Dist: pandas; extra == "pandas"\n'
        "Description-Content-Type: text/markdown\n\n" + readme)
    wheel_meta = ("Wheel-Version: 1.0\nGenerator: _vocx_build\n"
                  f"Root-Is-Purelib: {'false' if native else 'true'}\n"
                  f"Tag: {tag}\n")
    entries = []
    for fn in files:
        with open(os.path.join(pkg, fn), "rb") as f:
            entries.append((f"vocx/{fn}", f.read()))
    entries += [(f"{dist_info}/METADATA", metadata.encode("utf-8")),
                (f"{dist_info}/WHEEL", wheel_meta.encode()),
                (f"{dist_info}/top_level.txt", b"vocx\n")]
    record = "".join(f"{p},{_digest(d)},{len(d)}\n" for p, d in entries)
    record += f"{dist_info}/RECORD,,\n"
    entries.append((f"{dist_info}/RECORD", record.encode()))
    out = f"{name}-{version}-{tag}.whl"
    with zipfile.ZipFile(os.path.join(wheel_directory, out), "w",
                         zipfile.ZIP_DEFLATED) as z:
        for p, d in entries:
            info = zipfile.ZipInfo(p, date_time=(2020, 1, 1, 0, 0, 0))
            info.external_attr = (0o755 if p.endswith(".so") or ".so." in p
                                  else 0o644) << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, d)
    return out
