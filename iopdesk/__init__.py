"""IOPDesk: the clinical record and front desk of an Intensive Outpatient Program."""

__version__ = "0.1.0"
