"""The one error the eligibility package raises for input that does not fit the contract.

Every way a JSON-ish input can be wrong is reported as an ``EligibilityInputError`` naming the
field (``relations[0].capital_pct``), so that the API answers 400 and the management command
exits 2 with a message a provider can act on, and never a verdict on input that was misread.
"""

from __future__ import annotations


class EligibilityInputError(ValueError):
    """Input that does not fit ``shared/contracts/eligibility.md``.

    ``errors`` lists every problem found, as ``(field, message)``; ``field`` and ``message`` are
    those of the first one, for callers that show a single line.
    """

    code = "ELIGIBILITY_INPUT_INVALID"

    def __init__(
        self,
        field: str | None = None,
        message: str | None = None,
        *,
        errors: list[tuple[str, str]] | None = None,
    ) -> None:
        collected = list(errors or [])
        if field is not None or message is not None:
            collected.insert(0, (field or "(root)", message or "invalid value"))
        if not collected:
            collected = [("(root)", "invalid input")]
        self.errors: list[tuple[str, str]] = collected
        self.field, self.message = collected[0]
        super().__init__("; ".join(f"{f}: {m}" for f, m in collected))

    def as_dict(self) -> dict:
        """The errors as JSON, for API problem details and command output."""
        return {"errors": [{"field": f, "message": m} for f, m in self.errors]}
