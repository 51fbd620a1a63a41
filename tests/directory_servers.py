"""A real OpenLDAP server for the directory sign-in tests: Debian's slapd, started with data of its own.

`slapd_server()` writes a slapd.conf into a temporary folder (the Debian
schemas, one mdb database for dc=example,dc=gov), starts slapd in the
foreground on a free port, loads the directory below with ldapadd, and stops
and removes everything at the end. Tests change the directory with
`Directory.modify()` (ldapmodify), as an administrator would.

The directory: ou=people (alice: reviewers; bob: city managers and the
Hangzhou group; carol: no DualSpace group; admin: a name also used by a local
account), ou=groups (groupOfNames; each has a placeholder member, as
groupOfNames needs one).
"""

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from tests.services import free_port

SLAPD = shutil.which("slapd") or "/usr/sbin/slapd"
SUFFIX = "dc=example,dc=gov"
ROOT_DN = f"cn=admin,{SUFFIX}"
ROOT_PASSWORD = "directory-root-secret"
PEOPLE = f"ou=people,{SUFFIX}"
GROUPS = f"ou=groups,{SUFFIX}"
PLACEHOLDER = f"cn=placeholder,{SUFFIX}"

PASSWORDS = {"alice": "alice-directory-pw", "bob": "bob-directory-pw", "carol": "carol-directory-pw"}

CONFIG = """\
include /etc/ldap/schema/core.schema
include /etc/ldap/schema/cosine.schema
include /etc/ldap/schema/inetorgperson.schema
include /etc/ldap/schema/nis.schema
modulepath /usr/lib/ldap
moduleload back_mdb
pidfile {folder}/slapd.pid
database mdb
suffix "{suffix}"
rootdn "{root_dn}"
rootpw {root_password}
directory {folder}/data
maxsize 10485760
"""


def person(uid: str, given: str, surname: str, department: str) -> str:
    return f"""dn: uid={uid},{PEOPLE}
objectClass: inetOrgPerson
uid: {uid}
cn: {given} {surname}
givenName: {given}
sn: {surname}
mail: {uid}@example.gov
departmentNumber: {department}
userPassword: {PASSWORDS.get(uid, "x")}
"""


def group(name: str, *members: str) -> str:
    lines = "".join(f"member: uid={member},{PEOPLE}\n" for member in members)
    return f"dn: cn={name},{GROUPS}\nobjectClass: groupOfNames\ncn: {name}\nmember: {PLACEHOLDER}\n{lines}"


DIRECTORY = "\n".join(
    [
        f"dn: {SUFFIX}\nobjectClass: dcObject\nobjectClass: organization\ndc: example\no: Example Government\n",
        f"dn: {PEOPLE}\nobjectClass: organizationalUnit\nou: people\n",
        f"dn: {GROUPS}\nobjectClass: organizationalUnit\nou: groups\n",
        person("alice", "Alice", "Wang", "Planning Office"),
        person("bob", "Bob", "Li", "Hangzhou Data Resources Bureau"),
        person("carol", "Carol", "Zhao", "Archives"),
        person("admin", "Directory", "Admin", "IT"),
        group("dualspace-reviewers", "alice"),
        group("dualspace-city-managers", "bob"),
        group("city-hangzhou", "bob"),
        group("unrelated", "carol"),
    ]
)

# What DualSpace is told (LDAP_ROLE_GROUPS / LDAP_CITY_GROUPS): a DN for one group, a bare name for the others.
ROLE_GROUPS = {f"cn=dualspace-reviewers,{GROUPS}": "reviewer", "dualspace-city-managers": "city_manager"}
CITY_GROUPS = {"city-hangzhou": "330100"}


@dataclass
class Directory:
    uri: str
    folder: Path
    process: subprocess.Popen

    def modify(self, ldif: str) -> None:
        """Change the directory with ldapmodify, as the directory's administrator."""
        subprocess.run(
            ["ldapmodify", "-x", "-H", self.uri, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
            input=ldif.encode(),
            check=True,
            capture_output=True,
        )

    def remove_from_group(self, uid: str, group_name: str) -> None:
        self.modify(f"dn: cn={group_name},{GROUPS}\nchangetype: modify\ndelete: member\nmember: uid={uid},{PEOPLE}\n")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def slapd_available() -> bool:
    return Path(SLAPD).exists() and shutil.which("ldapadd") is not None


@contextlib.contextmanager
def slapd_server() -> Iterator[Directory]:
    """A running slapd holding DIRECTORY; stopped and removed afterwards."""
    folder = Path(tempfile.mkdtemp(prefix="dualspace-slapd-"))
    (folder / "data").mkdir()
    config = folder / "slapd.conf"
    config.write_text(
        CONFIG.format(folder=folder, suffix=SUFFIX, root_dn=ROOT_DN, root_password=ROOT_PASSWORD), encoding="utf-8"
    )
    port = free_port()
    uri = f"ldap://127.0.0.1:{port}"
    # -d 0: stay in the foreground (no fork), so the test owns the process and its exit.
    process = subprocess.Popen(
        [SLAPD, "-f", str(config), "-h", f"{uri}/", "-d", "0"],
        stdout=subprocess.DEVNULL,
        stderr=(folder / "slapd.log").open("wb"),
    )
    directory = Directory(uri=uri, folder=folder, process=process)
    try:
        deadline = time.monotonic() + 20
        while True:
            ready = subprocess.run(
                ["ldapsearch", "-x", "-H", uri, "-b", "", "-s", "base", "namingContexts"], capture_output=True
            )
            if ready.returncode == 0:
                break
            if process.poll() is not None or time.monotonic() > deadline:
                log = (folder / "slapd.log").read_text(errors="replace")
                raise RuntimeError(f"slapd did not start on {uri}:\n{log[-2000:]}")
            time.sleep(0.1)
        subprocess.run(
            ["ldapadd", "-x", "-H", uri, "-D", ROOT_DN, "-w", ROOT_PASSWORD],
            input=(DIRECTORY + f"\ndn: {PLACEHOLDER}\nobjectClass: organizationalRole\ncn: placeholder\n").encode(),
            check=True,
            capture_output=True,
        )
        yield directory
    finally:
        directory.stop()
        shutil.rmtree(folder, ignore_errors=True)
