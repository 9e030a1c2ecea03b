// The simulation watches the whole thread pool to know when the engine has settled: no other test may run beside it.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
