"""PLOVER ontology: types, modes, contexts, scores and the CAMEO crosswalk."""

from detente.ontology.lexicon import Lexicon, Rule, load_lexicon
from detente.ontology.plover import EventSpec, ModeSpec, Ontology, load_ontology

__all__ = ["EventSpec", "Lexicon", "ModeSpec", "Ontology", "Rule", "load_lexicon", "load_ontology"]
