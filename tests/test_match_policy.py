"""Which dunning policy governs an invoice."""

from datetime import date

import pytest

from odoo_automated_dunning.core import Customer, Invoice, Level, Policy, match_policy

LEVELS = (Level(id=1, name="Friendly reminder", delay=7),)


def _policy(policy_id, **values):
    values.setdefault("name", f"Policy {policy_id}")
    values.setdefault("levels", LEVELS)
    return Policy(id=policy_id, **values)


def _invoice(**values):
    values = {
        "id": 1,
        "customer_id": 7,
        "due_date": date(2025, 1, 15),
        "residual": 500.0,
        "residual_company": 500.0,
        "currency_id": 1,
        "amount_total_company": 500.0,
        "journal_id": 10,
        "payment_term_id": 20,
        "product_category_ids": frozenset({30}),
        **values,
    }
    return Invoice(**values)


def _customer(**values):
    return Customer(id=7, **values)


def test_customers_own_policy_wins_over_a_policy_whose_criteria_match_first():
    generic = _policy(1, sequence=1)
    own = _policy(2, sequence=99, journal_ids=frozenset({999}))  # its criteria do not hold
    policy = match_policy(_invoice(), _customer(policy_id=2), [generic, own])
    assert policy is own


def test_without_own_policy_the_lowest_sequence_matching_policy_wins():
    later = _policy(1, sequence=20)
    earlier = _policy(2, sequence=5)
    assert match_policy(_invoice(), _customer(), [later, earlier]) is earlier


def test_equal_sequences_are_decided_by_the_lowest_id():
    second = _policy(8, sequence=10)
    first = _policy(3, sequence=10)
    assert match_policy(_invoice(), _customer(), [second, first]) is first


def test_a_non_matching_policy_with_a_lower_sequence_is_passed_over():
    strict = _policy(1, sequence=1, journal_ids=frozenset({999}))
    fallback = _policy(2, sequence=50)
    assert match_policy(_invoice(), _customer(), [strict, fallback]) is fallback


def test_no_matching_policy_gives_none():
    policies = [
        _policy(1, journal_ids=frozenset({999})),
        _policy(2, partner_type="individual"),
    ]
    assert match_policy(_invoice(), _customer(), policies) is None


def test_no_policies_at_all_gives_none():
    assert match_policy(_invoice(), _customer(), []) is None


@pytest.mark.parametrize(
    ("criterion", "invoice_values", "matches"),
    [
        ({"journal_ids": frozenset({10, 11})}, {}, True),
        ({"journal_ids": frozenset({11})}, {}, False),
        ({"payment_term_ids": frozenset({20})}, {}, True),
        ({"payment_term_ids": frozenset({21})}, {}, False),
        # An invoice without payment term does not match a policy limited to some terms.
        ({"payment_term_ids": frozenset({20})}, {"payment_term_id": None}, False),
        # Product categories: one shared category is enough.
        ({"product_category_ids": frozenset({30, 31})}, {}, True),
        (
            {"product_category_ids": frozenset({31})},
            {"product_category_ids": frozenset({30, 31, 32})},
            True,
        ),
        ({"product_category_ids": frozenset({31})}, {}, False),
        ({"product_category_ids": frozenset({31})}, {"product_category_ids": frozenset()}, False),
        # Minimum amount per invoice, compared with the total in company currency.
        ({"minimum_amount": 500.0}, {}, True),
        ({"minimum_amount": 500.01}, {}, False),
        # A large foreign-currency invoice worth little in company currency does not match.
        ({"minimum_amount": 1000.0}, {"residual": 5000.0, "amount_total_company": 400.0}, False),
        # The domain: None means "no domain", a set lists the invoices it matched.
        ({"domain_invoice_ids": None}, {}, True),
        ({"domain_invoice_ids": frozenset({1, 2})}, {}, True),
        ({"domain_invoice_ids": frozenset({2})}, {}, False),
        ({"domain_invoice_ids": frozenset()}, {}, False),
    ],
)
def test_each_invoice_criterion_alone(criterion, invoice_values, matches):
    policy = _policy(1, **criterion)
    found = match_policy(_invoice(**invoice_values), _customer(), [policy])
    assert (found is policy) is matches


@pytest.mark.parametrize(
    ("tags", "customer_tags", "matches"),
    [
        (frozenset({40}), frozenset({40, 41}), True),
        (frozenset({40, 42}), frozenset({42}), True),
        (frozenset({40}), frozenset({41}), False),
        (frozenset({40}), frozenset(), False),
        (frozenset(), frozenset(), True),
    ],
)
def test_partner_tags_must_overlap(tags, customer_tags, matches):
    policy = _policy(1, partner_category_ids=tags)
    found = match_policy(_invoice(), _customer(category_ids=customer_tags), [policy])
    assert (found is policy) is matches


@pytest.mark.parametrize(
    ("partner_type", "is_company", "matches"),
    [
        ("any", True, True),
        ("any", False, True),
        ("company", True, True),
        ("company", False, False),
        ("individual", False, True),
        ("individual", True, False),
    ],
)
def test_partner_type(partner_type, is_company, matches):
    policy = _policy(1, partner_type=partner_type)
    found = match_policy(_invoice(), _customer(is_company=is_company), [policy])
    assert (found is policy) is matches


ALL_CRITERIA = {
    "journal_ids": frozenset({10}),
    "payment_term_ids": frozenset({20}),
    "product_category_ids": frozenset({30}),
    "partner_category_ids": frozenset({40}),
    "partner_type": "company",
    "minimum_amount": 100.0,
    "domain_invoice_ids": frozenset({1}),
}


def test_all_criteria_holding_together_match():
    policy = _policy(1, **ALL_CRITERIA)
    customer = _customer(category_ids=frozenset({40}), is_company=True)
    assert match_policy(_invoice(), customer, [policy]) is policy


@pytest.mark.parametrize(
    ("invoice_values", "customer_values"),
    [
        ({"journal_id": 11}, {}),
        ({"payment_term_id": 21}, {}),
        ({"product_category_ids": frozenset({31})}, {}),
        ({}, {"category_ids": frozenset({41})}),
        ({}, {"is_company": False}),
        ({"amount_total_company": 99.0}, {}),
        ({"id": 2}, {}),
    ],
    ids=["journal", "payment_term", "product_category", "tag", "type", "amount", "domain"],
)
def test_one_failing_criterion_is_enough_to_not_match(invoice_values, customer_values):
    policy = _policy(1, **ALL_CRITERIA)
    fallback = _policy(2, sequence=99)
    customer = _customer(**{"category_ids": frozenset({40}), **customer_values})
    assert match_policy(_invoice(**invoice_values), customer, [policy, fallback]) is fallback


def test_a_policy_for_high_risk_customers_matches_only_them():
    firm = Policy(id=1, name="Firm", levels=(), sequence=1, minimum_risk_score=50.0)
    standard = Policy(id=2, name="Standard", levels=(), sequence=2)
    invoice = Invoice(1, 10, date(2025, 1, 1), 100.0, 100.0, 1)
    risky = Customer(id=10, risk_score=62.5)
    reliable = Customer(id=10, risk_score=12.0)
    assert match_policy(invoice, risky, [firm, standard]) is firm
    assert match_policy(invoice, reliable, [firm, standard]) is standard


def test_an_archived_own_policy_counts_as_none():
    generic = Policy(id=1, name="Generic", levels=(), sequence=10)
    invoice = Invoice(1, 10, date(2025, 1, 1), 100.0, 100.0, 1)
    # Policy 2 is the customer's own but archived: not among the policies the run loads.
    assert match_policy(invoice, Customer(id=10, policy_id=2), [generic]) is generic
