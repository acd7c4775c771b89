"""The payment and letter services answer in the user's language, like every other domain
error (issue 19: the payment screens showed "invalid IBAN: ..." and "only a budget manager or
an administrator ..." in English inside the Dutch pages)."""

from __future__ import annotations

import pytest
from django.utils import translation

from csgrants.core.errors import PermissionDenied, ValidationFailed
from csgrants.payments import services
from csgrants.payments.tests.test_payment_orders import account_fields


@pytest.mark.parametrize(
    ("language", "words"), [("nl", "Dit is geen geldig IBAN"), ("en", "This is not a valid IBAN")]
)
def test_a_wrong_iban_is_refused_in_the_users_language(provider, budget_manager, language, words):
    with translation.override(language), pytest.raises(ValidationFailed) as refused:
        services.bank_account_propose(
            actor=budget_manager, provider=provider, **account_fields(iban="BE00 0000 0000 0000")
        )
    assert refused.value.field == "iban"
    assert words in str(refused.value)


def test_a_provider_cannot_propose_an_account_and_is_told_so_in_dutch(provider, provider_user):
    with translation.override("nl"), pytest.raises(PermissionDenied) as refused:
        services.bank_account_propose(actor=provider_user, provider=provider, **account_fields())
    assert "Alleen een budgetbeheerder of een beheerder stelt een bankrekening voor" in str(
        refused.value
    )
