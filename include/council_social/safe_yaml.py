"""YAML that cannot blow up or quietly lose a line.

PyYAML's safe loader still expands aliases: a few hundred bytes of nested
anchors ("billion laughs") become gigabytes. This loader refuses an alias to a
list or mapping (an alias to a plain value cannot grow), or any anchor at all
when asked, and refuses a key given twice in one mapping instead of letting the
second win. It is PyYAML's public SafeLoader with two hooks overridden.
"""

from __future__ import annotations

import yaml
from yaml.composer import ComposerError
from yaml.constructor import ConstructorError
from yaml.events import AliasEvent, NodeEvent

MERGE_TAG = "tag:yaml.org,2002:merge"


class _StrictLoader(yaml.SafeLoader):
    allow_anchors = True

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, NodeEvent) and not isinstance(event, AliasEvent) \
                and event.anchor is not None and not self.allow_anchors:
            raise ComposerError(None, None, f"anchors (&{event.anchor}) are not accepted here",
                                event.start_mark)
        if isinstance(event, AliasEvent):
            if not self.allow_anchors:
                raise ComposerError(None, None, f"aliases (*{event.anchor}) are not accepted here",
                                    event.start_mark)
            target = self.anchors.get(event.anchor)
            if isinstance(target, yaml.CollectionNode):
                raise ComposerError(None, None,
                                    f"alias *{event.anchor} repeats a list or mapping; "
                                    "write it out (aliases that expand are refused)",
                                    event.start_mark)
        return super().compose_node(parent, index)

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen: dict = {}
            for key_node, _ in node.value:
                if key_node.tag == MERGE_TAG:
                    continue
                key = self.construct_object(key_node, deep=True)
                try:
                    first = seen.setdefault(key, key_node)
                except TypeError:
                    continue  # an unhashable key: the base constructor reports it
                if first is not key_node:
                    raise ConstructorError(
                        "while constructing a mapping", node.start_mark,
                        f"key {key!r} is given twice (first at line {first.start_mark.line + 1})",
                        key_node.start_mark)
        return super().construct_mapping(node, deep=deep)


class _NoAnchorLoader(_StrictLoader):
    allow_anchors = False




def load(text: str, *, anchors: bool = True):
    """The document in `text`, safely; yaml.YAMLError for bad YAML, expanding aliases,
    repeated keys, or (with anchors=False) any anchor or alias."""
    return yaml.load(text, Loader=_StrictLoader if anchors else _NoAnchorLoader)  # noqa: S506


def compose(text: str, *, anchors: bool = True):
    """The node tree (for line numbers), with the same refusals as `load`."""
    return yaml.compose(text, Loader=_StrictLoader if anchors else _NoAnchorLoader)
