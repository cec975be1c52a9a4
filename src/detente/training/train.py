"""Train the event typer (``detente.nlp.typer``) on detente's own corpus.

    python -m detente.training.train corpus/train.jsonl src/detente/nlp/data/typer.json

Every candidate word (verbs, nouns) of every training sentence is an example: the word marked as
the trigger of an event is labelled with its PLOVER type, all others NONE. The model is a
multinomial logistic regression (scikit-learn, a development dependency only); its weights are
written as JSON with the corpus hash. Training is deterministic: the same corpus gives the same
file.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path
from typing import Any

from detente.nlp.events import Matcher
from detente.nlp.model import load_nlp
from detente.nlp.typer import CANDIDATE_POS, NONE, features
from detente.ontology import load_lexicon, load_ontology

C = 0.5  # inverse regularisation strength
MIN_WEIGHT = 0.005
LEXICAL = frozenset(
    {"w", "pos", "tag", "lex", "rule", "w+prt"}
)  # features whose weights all stay below this are left out of the file


def examples(corpus: Path) -> tuple[list[list[str]], list[str], dict[str, set[str]]]:
    nlp = load_nlp()
    matcher = Matcher(load_lexicon(load_ontology()))
    records = [json.loads(line) for line in corpus.read_text("utf-8").splitlines() if line]
    xs: list[list[str]] = []
    ys: list[str] = []
    lemmas: dict[str, set[str]] = {}  # trigger lemma → the objects it took
    docs = nlp.pipe((r["text"] for r in records), batch_size=256)
    for record, doc in zip(records, docs, strict=True):
        spans = [(e["trigger"], e["event"]) for e in record["events"] if e.get("trigger")]
        labelled: set[int] = set()
        for token in doc:
            if token.pos_ not in CANDIDATE_POS:
                continue
            label = NONE
            for (start, end), event in spans:
                if start <= token.idx < end and not labelled & set(range(start, end)):
                    label = event
                    labelled.add(token.idx)
                    lemmas.setdefault(token.lemma_.lower(), set()).update(
                        c.lemma_.lower() for c in token.children if c.dep_ == "dobj"
                    )
            full = features(token, matcher.hints(token))
            xs.append(full)
            ys.append(label)
            # The word alone, without its sentence: the lemma must carry the type by itself, so
            # that the model still knows "blacklisted" in a sentence unlike the templates'.
            xs.append([f for f in full if f.split("=")[0] in LEXICAL])
            ys.append(label)
    return xs, ys, lemmas


def train(corpus: Path) -> dict[str, Any]:
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression

    xs, ys, lemmas = examples(corpus)
    vectorizer = DictVectorizer(sparse=True)
    matrix = vectorizer.fit_transform([dict.fromkeys(x, 1) for x in xs])
    model = LogisticRegression(C=C, max_iter=3000, tol=1e-6)
    model.fit(matrix, ys)
    names = vectorizer.get_feature_names_out()
    weights = model.coef_.T  # features × labels
    keep = [i for i in range(len(names)) if abs(weights[i]).max() >= MIN_WEIGHT]
    return {
        "comment": "detente event typer; trained by `make train` on corpus/train.jsonl",
        "corpus_sha256": hashlib.sha256(corpus.read_bytes()).hexdigest(),
        "examples": len(ys),
        "labels": [str(label) for label in model.classes_],
        "bias": [round(float(b), 4) for b in model.intercept_],
        "trigger_objects": {lemma: sorted(objects) for lemma, objects in sorted(lemmas.items())},
        "features": [str(names[i]) for i in keep],
        "weights": [[round(float(w), 4) for w in weights[i]] for i in keep],
    }


def main(argv: list[str] | None = None) -> None:
    args = argv if argv is not None else sys.argv[1:]
    corpus, target = Path(args[0]), Path(args[1])
    model = train(corpus)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(model, separators=(",", ":")) + "\n", encoding="utf-8")
    print(f"trained on {model['examples']} words; {len(model['features'])} features -> {target}")


if __name__ == "__main__":
    main()
