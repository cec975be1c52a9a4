"""What a document has said so far: the people, things and countries it named, in order, and the
countries the whole text names, for pronouns, "both sides", the story's country and the other
side of an act with no named target."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from detente.actors import KnowledgeBase
from detente.records import ActorMention, Entity


@dataclass
class Context:
    """What a document has said so far, for pronouns and "both sides"."""

    kb: KnowledgeBase
    day: dt.date | None
    surnames: dict[str, str]
    people: list[ActorMention] = field(default_factory=list)
    things: list[ActorMention] = field(default_factory=list)
    countries: list[str] = field(default_factory=list)
    border_pair: tuple[str, str] | None = None
    towns: Mapping[str, str] = field(default_factory=dict)  # lower-case place name → ISO3
    shared: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # surname → people
    mentioned: Counter[str] = field(default_factory=Counter)  # country → mentions so far
    story: Counter[str] = field(default_factory=Counter)  # country → mentions in the whole text
    # people the knowledge base does not know, by each of their names, as first introduced
    # ("Colombian President Gustavo Petro": later "Petro" is he)
    named: dict[str, Entity] = field(default_factory=dict)

    def remember(self, mentions: Iterable[ActorMention]) -> None:
        for mention in mentions:
            entity = mention.entity
            if entity.entity_id and entity.entity_id.startswith("person:"):
                self.people.append(mention)
            else:
                self.things.append(mention)
            if len(entity.code) == 3 and entity.code.isalpha() and entity.code.isupper():
                if entity.code in self.countries:
                    self.countries.remove(entity.code)
                self.countries.append(entity.code)
                self.mentioned[entity.code] += 1

    def introduce(self, names: Iterable[str], entity: Entity) -> None:
        """A person first named with a title and a country: the names alone stand for them
        later in the document (the first introduction of a name holds)."""
        for name in names:
            self.named.setdefault(name.lower(), entity)

    def pair(self) -> list[str]:
        return self.countries[-2:] if len(self.countries) >= 2 else []

    def main_country(self, besides: Iterable[str] = (), *, whole: bool = True) -> str | None:
        """The country the document has spoken of most so far (of equals, the one the whole text
        names most, then the latest), other than ``besides``: where unqualified "police" or "the
        senator" of the story belong, and whom an act with no named target faces. Before any
        mention (a headline), the one the whole text names most; with ``whole=False`` only what
        has been read so far counts."""
        skip = set(besides)
        known = {**self.mentioned, **self.story} if whole else self.mentioned
        left = [c for c in known if c not in skip]
        if not left:
            return None
        rank = {code: i for i, code in enumerate(self.countries)}
        return max(left, key=lambda c: (self.mentioned[c], self.story[c], rank.get(c, -1)))
