"""The plugin installs into any Wagtail site and never imports the reference site."""

import ast
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PLUGIN_APPS = ["courses", "assessments"]
SITE_PACKAGES = {"training", "home"}


def test_plugin_never_imports_the_site():
    offenders = []
    for app in PLUGIN_APPS:
        for path in (ROOT / app).rglob("*.py"):
            tree = ast.parse(path.read_text(), filename=str(path))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [alias.name for alias in node.names]
                elif (
                    isinstance(node, ast.ImportFrom) and node.level == 0 and node.module
                ):
                    names = [node.module]
                offenders += [
                    f"{path.relative_to(ROOT)}: {name}"
                    for name in names
                    if name.split(".")[0] in SITE_PACKAGES
                ]
    assert offenders == []


def test_courses_does_not_import_assessments_at_module_level():
    offenders = []
    for path in (ROOT / "courses").rglob("*.py"):
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in tree.body:  # top-level statements only
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "assessments"
            ):
                offenders.append(str(path.relative_to(ROOT)))
            if isinstance(node, ast.Import) and any(
                a.name.startswith("assessments") for a in node.names
            ):
                offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []


def test_plugin_only_site_migrates_and_renders_a_course(tmp_path):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.plugin_site.settings",
        "PLUGIN_SITE_DB": str(tmp_path / "plugin.sqlite3"),
        "PYTHONPATH": str(ROOT),
    }
    env.pop("DATABASE_URL", None)
    migrate = subprocess.run(
        [sys.executable, "-m", "django", "migrate", "--noinput"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert migrate.returncode == 0, migrate.stderr[-3000:]
    render = subprocess.run(
        [sys.executable, str(ROOT / "tests/plugin_site/render_course.py")],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert render.returncode == 0, render.stderr[-3000:]
    assert "PLUGIN-ONLY OK" in render.stdout
