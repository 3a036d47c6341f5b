"""Reference: Kahn's algorithm, O(tasks + dependencies), no recursion."""

from __future__ import annotations

from collections import deque


class CycleError(ValueError):
    def __init__(self, tasks: list[str]) -> None:
        super().__init__(f"cycle among tasks: {', '.join(tasks)}")
        self.tasks = tasks


def task_order(tasks: list[str], dependencies: list[tuple[str, str]]) -> list[str]:
    after: dict[str, list[str]] = {t: [] for t in tasks}
    waiting_on = dict.fromkeys(tasks, 0)
    for before, then in set(dependencies):  # a repeated pair is one dependency
        after[before].append(then)
        waiting_on[then] += 1
    ready = deque(t for t in tasks if waiting_on[t] == 0)
    order: list[str] = []
    while ready:
        task = ready.popleft()
        order.append(task)
        for nxt in after[task]:
            waiting_on[nxt] -= 1
            if waiting_on[nxt] == 0:
                ready.append(nxt)
    if len(order) < len(after):
        done = set(order)
        raise CycleError([t for t in tasks if t not in done])  # on a cycle or behind one
    return order
