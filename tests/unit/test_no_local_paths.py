"""No runtime code reads or writes a stored file through a local path.

On several machines files live in object storage (STORAGE_BACKEND=s3), which
has no ``.path()``: a view or worker that asks a storage or a file field for
its local path works on one machine and fails (or reads another machine's
stale copy) on two. Every stored file goes through the storage API
(``open``, ``save``, ``exists``, ``delete``, ``url``).

Looked at: every module of accounts/, assessment/, cities/ and config/,
except migrations and the few files whose job is a local folder (ALLOWED).
Read with ``ast``, so docstrings and comments may name var/media.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("accounts", "assessment", "cities", "config")
# File → why it may use a local path.
ALLOWED = {
    # The local-disk storage itself: FileSystemStorage.path is how it finds its files.
    "config/storage.py",
    # Declares the local storage's default folder, used only with STORAGE_BACKEND=local.
    "config/settings/base.py",
    # Reads a local folder (--from) by design, to copy it into object storage.
    "assessment/management/commands/migrate_files_to_storage.py",
}


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the string constants that are docstrings (a module's, class's or function's first statement)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                found.add(id(first.value))
    return found


def _names_a_file(node: ast.expr) -> bool:
    """``report.file``, ``field_file``, ``evidence.file``: not ``os`` or ``request`` (whose .path is a URL)."""
    name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else ""
    return name.lower().endswith("file")


def local_path_uses(source: str) -> list[str]:
    """Each place ``source`` asks something for ``.path(...)`` or names the var/media folder, as 'line N: what'."""
    tree = ast.parse(source)
    docstrings = _docstrings(tree)
    uses = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "path":
            uses.append(f"line {node.lineno}: {ast.unparse(node.func)}()")
        elif isinstance(node, ast.Attribute) and node.attr == "path" and _names_a_file(node.value):
            uses.append(f"line {node.lineno}: {ast.unparse(node)}")  # FieldFile.path, a property
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            if "var/media" in node.value or "var\\media" in node.value:
                uses.append(f"line {node.lineno}: {node.value!r}")
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
            # BASE_DIR / "var" / "media"
            right, left = node.right, node.left
            left_end = left.right if isinstance(left, ast.BinOp) else left
            if (
                isinstance(right, ast.Constant)
                and right.value == "media"
                and isinstance(left_end, ast.Constant)
                and left_end.value == "var"
            ):
                uses.append(f"line {node.lineno}: {ast.unparse(node)}")
    return sorted(uses, key=lambda use: int(use.split(":")[0].removeprefix("line ")))


def runtime_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and path.relative_to(ROOT).as_posix() not in ALLOWED
    )


def test_no_runtime_code_uses_a_local_path_of_a_stored_file():
    found = [
        f"{path.relative_to(ROOT)} {use}"
        for path in runtime_modules()
        for use in local_path_uses(path.read_text(encoding="utf-8"))
    ]
    assert found == [], "use the storage API (open/save/exists/delete/url), never a local path:\n" + "\n".join(found)


def test_the_check_finds_what_it_looks_for():
    sample = '''
"""A docstring may say var/media."""
from django.core.files.storage import default_storage

def store(report, name):
    target = default_storage.path(name)  # the call issue 22 removed
    folder = report.file.path
    other = report.file.storage.path(report.file.name)
    url = request.path + os.path.join("a", "b")  # a URL and a path module: not stored files
    media = BASE_DIR / "var" / "media"
    return open("var/media/reports/x.pdf", "rb")
'''
    found = local_path_uses(sample)
    assert found == [
        "line 6: default_storage.path()",
        "line 7: report.file.path",
        "line 8: report.file.storage.path()",
        "line 10: BASE_DIR / 'var' / 'media'",
        "line 11: 'var/media/reports/x.pdf'",
    ], found


def test_the_allowed_files_exist_and_the_walk_sees_the_views():
    assert all((ROOT / name).is_file() for name in ALLOWED)
    walked = {path.relative_to(ROOT).as_posix() for path in runtime_modules()}
    assert {"assessment/services/report_worker.py", "assessment/views/downloads.py"} <= walked
