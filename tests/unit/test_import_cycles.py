"""No import cycles among the product's modules, counting the imports made inside functions.

A function-level import hides a cycle from the interpreter (it runs late) but not from the
reader: two modules that import each other are one module to understand, test and move.
import-linter's layers catch a cycle between packages; this catches one inside a package
(``app.ui.technician.texts`` ↔ ``app.ui.technician.dialog`` was one).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import grimp

PRODUCT = ("app", "vendor_server", "pmv_protocol")


def _import_graph() -> dict[str, set[str]]:
    # Function-level imports count (grimp reads every import statement), and so do the ones under
    # ``if TYPE_CHECKING:``: a cycle through a type hint is still a cycle in the design.
    graph = grimp.build_graph(*PRODUCT, exclude_type_checking_imports=False, cache_dir=None)
    return {module: set(graph.find_modules_directly_imported_by(module)) & graph.modules for module in graph.modules}


def strongly_connected_groups(edges: Mapping[str, Iterable[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph is deeper than Python's recursion limit allows for)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for root in sorted(edges):
        if root in index:
            continue
        work: list[tuple[str, list[str]]] = [(root, sorted(edges.get(root, ())))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, pending = work[-1]
            if pending:
                child = pending.pop()
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, sorted(edges.get(child, ()))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                group = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.append(member)
                    if member == node:
                        break
                groups.append(sorted(group))
    return groups


def test_the_cycle_finder_finds_a_cycle_through_three_modules_and_nothing_else() -> None:
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set(), "e": {"d"}}
    assert sorted(strongly_connected_groups(edges)) == [["a", "b", "c"], ["d"], ["e"]]


def test_no_product_modules_import_each_other_in_a_cycle() -> None:
    cycles = [group for group in strongly_connected_groups(_import_graph()) if len(group) > 1]
    named = "\n".join("  " + ", ".join(group) for group in cycles)
    assert not cycles, f"modules importing each other, directly or round a loop (imports in functions count):\n{named}"
