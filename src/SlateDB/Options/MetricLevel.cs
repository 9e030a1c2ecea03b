namespace SlateDB;

/// <summary>Which metrics are recorded (SlateDB's <c>MetricLevel</c>).</summary>
public enum MetricLevel
{
    /// <summary>Also the high-frequency metrics of the hot path.</summary>
    Debug,

    /// <summary>The standard operational metrics (SlateDB's default).</summary>
    Info,
}
