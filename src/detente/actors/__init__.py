"""The actor knowledge base: data files, loader and resolver."""

from detente.actors.kb import KBEntry, KnowledgeBase, Role, load_knowledge_base

__all__ = ["KBEntry", "KnowledgeBase", "Role", "load_knowledge_base"]
