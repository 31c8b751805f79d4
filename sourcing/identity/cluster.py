"""Union-find over identities with cannot-link constraints.

A component may not hold two GitHub accounts (different logins), two author positions of one
paper, two speaker positions of one talk, nor both sides of a human "not same" decision — unless
a human forced the union. Constraints are kept per root as sets of slot integers, merged
small-into-large, so checking a union costs the size of the smaller side.
"""

from __future__ import annotations

from typing import Optional


class Clusters:
    def __init__(self, n: int, logins: list[Optional[str]], slots: dict[int, set]):
        self.parent = list(range(n))
        self.size = [1] * n
        # root -> GitHub logins of the component (only components that have one)
        self.gh: dict[int, set[str]] = {i: {lg} for i, lg in enumerate(logins) if lg}
        # root -> slot set (positions on papers/talks, not-same decisions)
        self.slots: dict[int, set] = {i: set(s) for i, s in slots.items() if s}

    def find(self, x: int) -> int:
        parent = self.parent
        root = x
        while parent[root] != root:
            root = parent[root]
        while parent[x] != root:
            parent[x], x = root, parent[x]
        return root

    def add_slot(self, x: int, slot: int) -> None:
        r = self.find(x)
        self.slots.setdefault(r, set()).add(slot)

    def conflict(self, ra: int, rb: int) -> Optional[str]:
        """Why the components rooted at ra and rb may not be joined automatically (None: they may)."""
        ga, gb = self.gh.get(ra), self.gh.get(rb)
        if ga and gb and len(ga | gb) > max(len(ga), len(gb)):
            return "github"
        sa, sb = self.slots.get(ra), self.slots.get(rb)
        if sa and sb:
            small, large = (sa, sb) if len(sa) <= len(sb) else (sb, sa)
            for s in small:
                if s in large:
                    return "decision" if s < 0 else "position"
        return None

    def union(self, a: int, b: int, *, force: bool = False) -> tuple[bool, Optional[str]]:
        """Join the components of a and b; (joined, reason refused)."""
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return True, None
        if not force:
            why = self.conflict(ra, rb)
            if why:
                return False, why
        if self.size[ra] < self.size[rb]:
            ra, rb = rb, ra
        self.parent[rb] = ra
        self.size[ra] += self.size[rb]
        for store in (self.gh, self.slots):
            other = store.pop(rb, None)
            if other:
                mine = store.get(ra)
                if mine is None:
                    store[ra] = other
                else:
                    if len(mine) < len(other):
                        mine, other = other, mine
                        store[ra] = mine
                    mine |= other
        return True, None

    def components(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = {}
        for x in range(len(self.parent)):
            out.setdefault(self.find(x), []).append(x)
        return out
