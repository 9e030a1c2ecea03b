namespace SlateDB.Bencher;

/// <summary>Collects latencies (microseconds) from many workers; percentiles at the end.</summary>
internal sealed class LatencyRecorder
{
    private readonly List<long>[] _perWorker;

    public LatencyRecorder(int workers)
    {
        _perWorker = new List<long>[workers];
        for (var i = 0; i < workers; i++)
        {
            _perWorker[i] = new List<long>(1 << 16);
        }
    }

    public void Record(int worker, long micros) => _perWorker[worker].Add(micros);

    public long Count => _perWorker.Sum(list => (long)list.Count);

    public (double P50, double P99, double P999, double Max) Percentiles()
    {
        var all = _perWorker.SelectMany(list => list).ToArray();
        if (all.Length == 0)
        {
            return (0, 0, 0, 0);
        }

        Array.Sort(all);
        double At(double q) => all[Math.Min(all.Length - 1, (int)(q * all.Length))] / 1000.0;
        return (At(0.50), At(0.99), At(0.999), all[^1] / 1000.0);
    }
}
