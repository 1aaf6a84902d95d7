"""Update intake: offline verification of vendor update packages and the approval workflow."""
