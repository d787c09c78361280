"""Question bank models. Banks and members (bank.py), items, versions and review (item.py), papers
and their frozen forms (paper.py)."""

from .bank import Bank, BankMembership, Category, MediaFile, Tag
from .item import Choice, Item, ItemComment, ItemVersion
from .paper import EnemyGroup, Paper, PaperForm, PaperSection, SectionRule

__all__ = [
    "Bank",
    "BankMembership",
    "Category",
    "Choice",
    "EnemyGroup",
    "Item",
    "ItemComment",
    "ItemVersion",
    "MediaFile",
    "Paper",
    "PaperForm",
    "PaperSection",
    "SectionRule",
    "Tag",
]
