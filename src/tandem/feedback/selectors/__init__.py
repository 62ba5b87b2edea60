"""Every read of evaluate-and-adjust, scoped to what the caller may see; one module per
sub-domain (check-ins, health, guidance); import the module you need directly."""
