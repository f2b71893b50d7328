"""RQ worker entry points (thin): they configure RQ from ecomintel settings and run jobs from `ecomintel.jobs`."""
