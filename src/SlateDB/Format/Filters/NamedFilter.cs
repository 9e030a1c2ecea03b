namespace SlateDB.Format.Filters;

/// <summary>A filter together with the name of the policy that built it (Rust <c>NamedFilter</c>).</summary>
/// <param name="Name">The policy name stored in the composite filter block.</param>
/// <param name="Filter">The filter.</param>
internal sealed record NamedFilter(string Name, IFilter Filter);
