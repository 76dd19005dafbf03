"""Where bugs that matter tend to live: security-sensitive paths and content.

Two kinds of evidence, each named so the plan can say why a file ranks high:

* path words: a path segment (split at ``/ . _ -``) naming a sensitive area, such as
  ``auth``, ``crypto``, ``sql``, ``views`` or ``upload``;
* content: one regular expression per category over the file's bytes, such as
  ``pickle.loads(``, ``yaml.load(``, ``eval(``, ``subprocess.run(``, a cursor's
  ``execute(``, ``copy_from_user(`` or ``strcpy(``.

Regular expressions with many alternatives are slow in Python (about 20 MB/s), so content
rules work from the file's identifiers, which the scan splits anyway: a category is looked
at only when one of its trigger words occurs, and then only on the lines holding it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

# Category -> what it means, as shown in reasons.
LABELS: Mapping[str, str] = {
    "auth": "authentication and authorisation",
    "crypto": "cryptography",
    "sql": "SQL and database access",
    "shell": "subprocess and shell commands",
    "deserialisation": "deserialisation of untrusted data",
    "dynamic_code": "dynamic code execution (eval, exec)",
    "input": "request handlers and untrusted input",
    "memory": "unchecked memory copies",
    "files": "file and archive handling",
    "secrets": "hard-coded credentials",
}


def words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_PATH_WORDS: Mapping[str, frozenset[str]] = {
    "auth": words(
        "auth authn authz authentication authorization authorisation login logout signin "
        "signup session sessions permission permissions perms acl acls oauth oauth2 saml jwt "
        "password passwords passwd credential credentials security secure "
        "secrets sudo rbac policy policies"
    ),
    "crypto": words(
        "crypto crypt cipher ciphers tls ssl x509 cert certs certificate certificates hash "
        "hashing hmac signing signature signatures keyring keystore aes rsa ecdsa kdf "
        "random entropy"
    ),
    "sql": words(
        "sql db database databases query queries orm dao migrations migration sqlite postgres mysql"
    ),
    "shell": words("shell exec subprocess spawn cmd command commands"),
    "deserialisation": words(
        "serializer serializers serialization serialize deserialize pickle marshal codec "
        "codecs unpack"
    ),
    "input": words(
        "views view routes route router handlers handler controllers controller api endpoints "
        "endpoint middleware webhook webhooks upload uploads graphql rpc ioctl syscall "
        "syscalls net http server"
    ),
    "files": words("archive archives extract storage filesystem"),
}
_SPLIT = re.compile(r"[/._\-]+")


@dataclass(frozen=True)
class Rule:
    """A content category: identifier words, one of which a matching line must hold, and
    the pattern that line must match (so a word in a comment does not count)."""

    category: str
    triggers: frozenset[bytes]
    pattern: re.Pattern[bytes]


def _rule(category: str, triggers: str, pattern: bytes) -> Rule:
    return Rule(category, frozenset(triggers.encode().split()), re.compile(pattern))


RULES: tuple[Rule, ...] = (
    _rule(
        "deserialisation",
        "pickle cPickle marshal shelve jsonpickle yaml unserialize ObjectInputStream "
        "readObject BinaryFormatter XMLDecoder Marshal YAML",
        rb"c?[Pp]ickle\.loads?\(|marshal\.loads?\(|shelve\.open\(|jsonpickle\.decode\("
        rb"|yaml\.load\((?![^)\n]*Safe)|yaml\.unsafe_load\(|yaml\.full_load\("
        rb"|\bunserialize\(|ObjectInputStream|\.readObject\(|BinaryFormatter|XMLDecoder"
        rb"|Marshal\.load\(|YAML\.load\(",
    ),
    _rule(
        "dynamic_code",
        "eval exec Function __import__ import_module runInNewContext runInThisContext runInContext",
        rb"\beval\(|\bexec\(|new Function\(|__import__\(|importlib\.import_module\("
        rb"|vm\.runIn\w*\(",
    ),
    _rule(
        "shell",
        "subprocess system popen execv execve execvp execvpe execl execlp execle spawnl "
        "spawnlp spawnv spawnvp shell child_process execSync spawnSync Runtime Command "
        "call_usermodehelper",
        rb"subprocess\.\w+\(|os\.system\(|os\.popen\(|os\.exec\w*\(|os\.spawn\w*\("
        rb"|shell\s*=\s*True|child_process|\bexecSync\(|\bspawnSync\("
        rb"|Runtime\.getRuntime\(\)\.exec|exec\.Command\(|\bpopen\(|\bsystem\(\s*[\w\"]"
        rb"|\bexecv[pe]{0,2}\(|\bexecl[pe]?\(|call_usermodehelper",
    ),
    _rule(
        "sql",
        "execute executemany executescript raw cursor SELECT INSERT DELETE UPDATE Query "
        "Exec QueryRow",
        rb"\.execute(?:many|script)?\(|\.raw\(\s*[fr]?[\"']|\bcursor\(\)"
        rb"|\bSELECT\s[^;\n]{0,80}?\bFROM\b|\bINSERT\s+INTO\b|\bDELETE\s+FROM\b"
        rb"|\bUPDATE\s+\w+\s+SET\b|\bdb\.(?:Query|Exec|QueryRow)\(",
    ),
    _rule(
        "crypto",
        "hashlib md5 sha1 Cipher cryptography MODE_ECB random Math jwt verify "
        "InsecureSkipVerify CERT_NONE _create_unverified_context get_random_bytes",
        rb"hashlib\.(?:md5|sha1)\(|\bmd5\(|\bsha1\(|Crypto\.Cipher|from cryptography"
        rb"|\bMODE_ECB\b|\brandom\.random\(|Math\.random\(|\bjwt\.(?:decode|encode)\("
        rb"|verify\s*=\s*False|InsecureSkipVerify|CERT_NONE|_create_unverified_context"
        rb"|\bget_random_bytes\(",
    ),
    _rule(
        "auth",
        "password Password passwd PASSWORD authenticate authorize authorise login_required "
        "permission_required has_perm check_password csrf_exempt set_cookie ns_capable capable",
        rb"[Pp]assw(?:or)?d\w*\s*(?:[=!]=?|:)|PASSWORD\s*[=:]|\bauthenticate\("
        rb"|\bauthori[sz]e\w*\(|@login_required|\bpermission_required|\bhas_perm\("
        rb"|\bcheck_password\(|\bcsrf_exempt\b|set_cookie\(|\bns_capable\("
        rb"|\bcapable\(CAP_\w+\)",
    ),
    _rule(
        "input",
        "app bp blueprint router route GetMapping PostMapping PutMapping DeleteMapping "
        "PatchMapping RequestMapping request req HandleFunc HttpServletRequest copy_from_user "
        "strncpy_from_user get_user memdup_user memdup_user_nul",
        rb"@(?:app|bp|blueprint|router|api)\.(?:route|get|post|put|delete|patch)\("
        rb"|@(?:Get|Post|Put|Delete|Patch|Request)Mapping|\brequest\.(?:args|form|json|GET"
        rb"|POST|FILES|files|body|params|query_params|data|cookies)\b|\breq\.(?:body|query"
        rb"|params|cookies)\b|http\.HandleFunc\(|HttpServletRequest|\bcopy_from_user\("
        rb"|\bstrncpy_from_user\(|\bget_user\(|\bmemdup_user\w*\(",
    ),
    _rule(
        "memory",
        "strcpy strcat sprintf vsprintf gets alloca",
        rb"\b(?:strcpy|strcat|sprintf|vsprintf|gets|alloca)\s*\(",
    ),
    _rule(
        "files",
        "extractall send_file send_from_directory mktemp chmod request",
        rb"\.extractall\(|\bsend_file\(|send_from_directory\(|tempfile\.mktemp\("
        rb"|\bmktemp\(|chmod\([^)\n]*0o?777|os\.path\.join\([^)\n]*request",
    ),
    _rule(
        "secrets",
        "password passwd secret api_key apikey apiKey token access_token secret_key "
        "client_secret private_key auth_token PASSWORD SECRET SECRET_KEY API_KEY TOKEN "
        "ACCESS_TOKEN",
        rb"(?i:password|passwd|secret|api_?key|access_?token|private_?key|auth_?token|token)"
        rb"[\"']?\s*[:=]\s*[\"'][A-Za-z0-9+/_\-]{12,}[\"']",
    ),
)
_TRIGGERS: Mapping[bytes, tuple[Rule, ...]] = {
    word: tuple(r for r in RULES if word in r.triggers)
    for word in sorted({w for r in RULES for w in r.triggers})
}
TRIGGER_WORDS = frozenset(_TRIGGERS)
_SAMPLE_TAIL = re.compile(rb"[\s(\"':=]+$")
MAX_SAMPLES = 3
MAX_LINES_PER_WORD = 32  # occurrences of one trigger word examined per file


def path_categories(path: str) -> tuple[str, ...]:
    """Sensitive areas a path names (by whole path segments), in ``LABELS`` order."""
    words = set(_SPLIT.split(path.lower()))
    return tuple(c for c in LABELS if c in _PATH_WORDS and words & _PATH_WORDS[c])


@dataclass(frozen=True)
class ContentHits:
    """How often each category matched in a file, with a few distinct examples."""

    counts: Mapping[str, int]
    samples: Mapping[str, tuple[str, ...]]
    offsets: frozenset[int]  # byte offsets of the matching lines (see ``line_numbers``)

    def describe(self, category: str) -> str:
        n = self.counts[category]
        shown = ", ".join(self.samples.get(category, ()))
        return f"{LABELS[category]} ({shown}{'' if n <= 1 else f'; {n} matches'})"


NO_HITS = ContentHits({}, {}, frozenset())


def content_hits(data: bytes, words: Iterable[bytes]) -> ContentHits:
    """Every category's matches in ``data``; ``words`` are its identifiers (any iterable of
    them, e.g. the split that the scan made anyway). Only the lines holding a trigger word
    are matched against the rules' patterns."""
    present = sorted(TRIGGER_WORDS.intersection(words))
    if not present:
        return NO_HITS
    counts: dict[str, int] = {}
    samples: dict[str, list[str]] = {}
    starts: set[int] = set()
    done: set[tuple[int, str]] = set()
    for word in present:
        rules = _TRIGGERS[word]
        for start, line in _lines_with(data, word):
            for rule in rules:
                if (start, rule.category) in done:
                    continue
                found = rule.pattern.search(line)
                if found is None:
                    continue
                done.add((start, rule.category))
                starts.add(start)
                counts[rule.category] = counts.get(rule.category, 0) + 1
                seen = samples.setdefault(rule.category, [])
                text = _sample(found.group(0), rule.category)
                if len(seen) < MAX_SAMPLES and text not in seen:
                    seen.append(text)
    if not counts:
        return NO_HITS
    ordered = {c: counts[c] for c in LABELS if c in counts}
    return ContentHits(ordered, {k: tuple(v) for k, v in samples.items()}, frozenset(starts))


def _lines_with(data: bytes, word: bytes) -> Iterator[tuple[int, bytes]]:
    """(offset of the line, the line) for the first lines holding ``word``."""
    at = data.find(word)
    seen = 0
    while at != -1 and seen < MAX_LINES_PER_WORD:
        start = data.rfind(b"\n", 0, at) + 1
        end = data.find(b"\n", at)
        end = len(data) if end == -1 else end
        yield start, data[start:end]
        seen += 1
        at = data.find(word, end)


def line_numbers(data: bytes, offsets: Iterable[int]) -> frozenset[int]:
    """1-based line numbers of byte offsets (one pass over the sorted offsets)."""
    found: set[int] = set()
    line, last = 1, 0
    for at in sorted(offsets):
        line += data.count(b"\n", last, at)
        last = at
        found.add(line)
    return frozenset(found)


def _sample(raw: bytes, category: str) -> str:
    if category == "secrets":
        return "a literal credential"  # never echo what looks like a secret
    text = _SAMPLE_TAIL.sub(b"", raw[:40]).decode("utf-8", "replace")
    return " ".join(text.split()) or category
