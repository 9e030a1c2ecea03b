using System.Diagnostics.CodeAnalysis;

namespace SlateDB.Extensions.Hosting;

/// <summary>
/// The hosted database of one registration: set when the host has started and the database is open. Inject it where
/// a component is created before the host starts; inject <see cref="SlateDb"/> directly everywhere else.
/// </summary>
public sealed class SlateDbAccessor
{
    private SlateDb? _database;

    internal SlateDbAccessor(string? name) => Name = name;

    /// <summary>The registration's key (<c>AddKeyedSlateDb</c>), or null for the default database (<c>AddSlateDb</c>).</summary>
    public string? Name { get; }

    /// <summary>The open database.</summary>
    /// <exception cref="InvalidOperationException">The host has not started (the database opens in its hosted service's start).</exception>
    public SlateDb Database => _database ?? throw new InvalidOperationException(
        $"The SlateDB database {Describe(Name)} is not open yet: it opens when the host starts (IHost.StartAsync or app.Run). "
        + "Resolve SlateDb after the host has started, or inject SlateDbAccessor and read Database when it is needed.");

    /// <summary>The database's status, or null before the host has started it.</summary>
    public DbStatus? Status => Volatile.Read(ref _database)?.Status;

    /// <summary>Gets the database when the host has opened it.</summary>
    /// <param name="database">The open database, or null before the host started.</param>
    /// <returns>True when the database has been opened.</returns>
    public bool TryGetDatabase([NotNullWhen(true)] out SlateDb? database)
    {
        database = Volatile.Read(ref _database);
        return database is not null;
    }

    internal void Set(SlateDb database) => Volatile.Write(ref _database, database);

    internal static string Describe(string? name) => name is null ? "(default)" : $"'{name}'";
}
