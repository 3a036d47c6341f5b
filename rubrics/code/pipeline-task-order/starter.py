"""Order the tasks of a training pipeline so that every dependency runs first."""

from __future__ import annotations


class CycleError(ValueError):
    """The dependencies contain a cycle, so no order exists.

    ``tasks`` lists the tasks that can never run because of it: at least every task on the
    cycle, and none that could run.
    """

    def __init__(self, tasks: list[str]) -> None:
        super().__init__(f"cycle among tasks: {', '.join(tasks)}")
        self.tasks = tasks


def task_order(tasks: list[str], dependencies: list[tuple[str, str]]) -> list[str]:
    """An order to run the tasks in.

    tasks: task names (up to ten thousand). dependencies: (before, after) pairs meaning
    ``before`` must finish before ``after`` starts (up to fifty thousand); every task named
    in a pair is also in ``tasks``. A pair can appear more than once.

    Returns every task exactly once, each after all the tasks it depends on. Raises
    CycleError (defined above) when there is no such order.
    """
    raise NotImplementedError
