"""What the root conftest's scheduling assumes of the test files."""

import importlib

from acuclinic.testing.module_db import demo_spec
from conftest import SHARE_ONE_DEMO


def test_the_files_dealt_out_together_read_one_demo_clinic():
    # Otherwise each builds its own: still correct, only slower.
    specs = {
        path: demo_spec(importlib.import_module(path.removesuffix(".py").replace("/", ".")))
        for path in sorted(SHARE_ONE_DEMO)
    }
    assert None not in specs.values(), specs
    assert len(set(specs.values())) == 1, specs
