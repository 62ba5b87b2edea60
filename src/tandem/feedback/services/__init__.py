"""Every write of evaluate-and-adjust, one module per sub-domain (check-ins, health, guidance);
import the module you need directly."""
