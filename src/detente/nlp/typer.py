"""The trained event typer: a linear model over parse features of a candidate trigger word.

For every verb (and licensed noun) of a parsed sentence it gives the probability of each PLOVER
event type and of NONE (the word reports no event). It is trained on detente's own corpus
(``corpus/``, ``make train``) and shipped as plain weights in ``data/typer.json``: inference needs
no machine-learning library. The file carries the SHA-256 of the corpus it was trained on and is
itself identified by its own hash (``Typer.version``).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources

import numpy as np
import numpy.typing as npt
from spacy.tokens import Token

from detente.errors import DataFileError

NONE = "NONE"
MODEL_FILE = "typer.json"
CANDIDATE_POS = frozenset({"VERB", "NOUN", "AUX"})
_OBJECT_DEPS = ("dobj", "attr", "nsubjpass", "oprd")


def _lemma(token: Token) -> str:
    return token.lemma_.lower()


def features(token: Token, hints: Sequence[str] = ()) -> list[str]:
    """The features of a candidate trigger: its lemma, its syntactic company and what the
    rules say of it (``hints``: "rule=MOBILIZE", "lex=RETREAT")."""
    lemma = _lemma(token)
    out = [f"w={lemma}", f"pos={token.pos_}", f"tag={token.tag_}", f"dep={token.dep_}", *hints]
    for hint in hints:
        out.append(f"{hint}|{token.dep_}")
    head = token.head
    if head.i != token.i:
        out += [
            f"head={_lemma(head)}",
            f"w+head={lemma}|{_lemma(head)}",
            f"w+dep={lemma}|{token.dep_}",
        ]
    for child in token.children:
        dep = child.dep_
        if dep in _OBJECT_DEPS:
            obj = _lemma(child)
            out += [f"obj={obj}", f"w+obj={lemma}|{obj}"]
            for grand in child.children:
                if grand.dep_ in ("compound", "amod") and grand.pos_ != "PROPN":
                    out.append(f"objmod={_lemma(grand)}")
                if grand.dep_ == "prep":
                    out.append(f"objprep={grand.lower_}")
        elif dep == "prep":
            out += [f"prep={child.lower_}", f"w+prep={lemma}|{child.lower_}"]
            for pobj in child.children:
                if pobj.dep_ == "pobj":
                    out.append(f"pobj={child.lower_}|{_lemma(pobj)}")
        elif dep in ("prt",) or (dep == "advmod" and child.i == token.i + 1):
            out.append(f"w+prt={lemma}|{child.lower_}")
        elif dep in ("xcomp", "ccomp"):
            out += [f"{dep}={_lemma(child)}", f"w+{dep}={lemma}|{_lemma(child)}"]
        elif dep == "neg":
            out.append("neg")
        elif dep in ("aux", "auxpass"):
            out.append(f"aux={_lemma(child)}")
        elif dep == "dative":
            out.append("dative")
        elif dep in ("nsubj", "nsubjpass"):
            out.append(f"subj={_lemma(child)}")
    for neighbour in (token.nbor(-1) if token.i > token.sent.start else None,
                      token.nbor(1) if token.i + 1 < token.sent.end else None):  # fmt: skip
        if neighbour is not None:
            side = "l" if neighbour.i < token.i else "r"
            out.append(f"{side}={neighbour.lower_}")
    return out


@dataclass(frozen=True)
class Typer:
    labels: tuple[str, ...]
    index: dict[str, int]  # feature → row of ``weights``
    weights: npt.NDArray[np.float64]  # rows: features; columns: labels
    bias: npt.NDArray[np.float64]
    trigger_objects: dict[str, frozenset[str]]  # lemma seen as a trigger → objects it took
    corpus_sha256: str
    version: str  # the model file's own hash

    def best(self, token: Token, hints: Sequence[str] = ()) -> tuple[str, float]:
        probs = self._softmax(features(token, hints))
        k = int(probs.argmax())
        return self.labels[k], float(probs[k])

    def _softmax(self, names: Sequence[str]) -> npt.NDArray[np.float64]:
        rows = [r for r in (self.index.get(n) for n in names) if r is not None]
        scores = self.bias + self.weights[rows].sum(axis=0)
        exps = np.exp(scores - scores.max())
        return exps / exps.sum()  # type: ignore[no-any-return]

    def gate_lemmas(self, threshold: float) -> frozenset[str]:
        """Trigger lemmas that by themselves, as a past-tense verb, point to an event with at
        least this probability: the parse gate opens for them (a word the typer only knows in
        context would open it for too many sentences for too little)."""
        none = self.labels.index(NONE)
        out = set()
        for lemma in self.trigger_objects:
            probs = self._softmax([f"w={lemma}", "pos=VERB", "tag=VBD"])
            probs[none] = 0.0
            if probs.max() >= threshold:
                out.add(lemma)
        return frozenset(out)


def typer_from_json(text: str, source: str) -> Typer:
    try:
        raw = json.loads(text)
        labels = tuple(raw["labels"])
        names = raw["features"]
        weights = np.array(raw["weights"], dtype=np.float64)
        bias = np.array(raw["bias"], dtype=np.float64)
        if weights.shape != (len(names), len(labels)) or bias.shape != (len(labels),):
            raise ValueError("weights do not match features and labels")
        return Typer(
            labels=labels,
            index={name: i for i, name in enumerate(names)},
            weights=weights,
            bias=bias,
            trigger_objects={k: frozenset(v) for k, v in raw["trigger_objects"].items()},
            corpus_sha256=str(raw["corpus_sha256"]),
            version=hashlib.sha256(text.encode("utf-8")).hexdigest()[:12],
        )
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise DataFileError(source, f"not a typer model ({exc})") from None


def load_typer() -> Typer | None:
    """The shipped model, or None when the package holds none (before the first ``make train``)."""
    path = resources.files("detente.nlp") / "data" / MODEL_FILE
    if not path.is_file():
        return None
    return typer_from_json(path.read_text("utf-8"), str(path))
