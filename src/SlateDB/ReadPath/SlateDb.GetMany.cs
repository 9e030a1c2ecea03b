using System.Text;
using SlateDB.Format;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>
    /// Reads several keys at one sequence number, as a snapshot would: no write committed while the reads run is seen
    /// by some keys and not by others.
    /// </summary>
    /// <returns>The values in the order of <paramref name="keys"/>; null for a key that is absent, deleted or expired.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> is null.</exception>
    /// <exception cref="ArgumentException">A key is empty or longer than 65,535 bytes (checked before any read).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as the shipped GetAsync and PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public async ValueTask<IReadOnlyList<byte[]?>> GetManyAsync(IEnumerable<ReadOnlyMemory<byte>> keys, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var rows = await GetRowsAsync([.. keys], options ?? ReadOptions.Default, cancellationToken).ConfigureAwait(false);
        var values = new byte[]?[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = rows[i] is { } row ? row.Value.ToArray() : null;
        }

        return values;
    }

    /// <summary>Reads several keys given as arrays at one sequence number; see <see cref="GetManyAsync(IEnumerable{ReadOnlyMemory{byte}}, ReadOptions?, CancellationToken)"/>.</summary>
    /// <returns>The values in the order of <paramref name="keys"/>; null for a key that is absent, deleted or expired.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">A key is empty or longer than 65,535 bytes (checked before any read).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as the shipped GetAsync and PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public ValueTask<IReadOnlyList<byte[]?>> GetManyAsync(IEnumerable<byte[]> keys, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        return GetManyAsync(keys.Select(key => key is null ? throw new ArgumentNullException(nameof(keys), "A key is null.") : new ReadOnlyMemory<byte>(key)).ToList(), options, cancellationToken);
    }

    /// <summary>
    /// Reads several UTF-8 string keys at one sequence number, returning UTF-8 string values; see
    /// <see cref="GetManyAsync(IEnumerable{ReadOnlyMemory{byte}}, ReadOptions?, CancellationToken)"/>.
    /// </summary>
    /// <returns>The values in the order of <paramref name="keys"/>; null for a key that is absent, deleted or expired.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="keys"/> or one of them is null.</exception>
    /// <exception cref="ArgumentException">A key is empty or longer than 65,535 bytes in UTF-8 (checked before any read).</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as the shipped GetAsync and PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public async ValueTask<IReadOnlyList<string?>> GetManyAsync(IEnumerable<string> keys, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(keys);
        var encoded = keys.Select(key => key is null ? throw new ArgumentNullException(nameof(keys), "A key is null.") : new ReadOnlyMemory<byte>(Encoding.UTF8.GetBytes(key))).ToArray();
        var rows = await GetRowsAsync(encoded, options ?? ReadOptions.Default, cancellationToken).ConfigureAwait(false);
        var values = new string?[rows.Length];
        for (var i = 0; i < rows.Length; i++)
        {
            values[i] = rows[i] is { } row ? Encoding.UTF8.GetString(row.Value.Span) : null;
        }

        return values;
    }

    /// <summary>Whether a key has a value (it is not absent, deleted or expired). The value is not copied.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as the shipped GetAsync and PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public async ValueTask<bool> ContainsKeyAsync(ReadOnlyMemory<byte> key, ReadOptions? options = null, CancellationToken cancellationToken = default) =>
        await GetRowAsync(key, options ?? ReadOptions.Default, ulong.MaxValue, cancellationToken).ConfigureAwait(false) is not null;

    /// <summary>Whether a UTF-8 string key has a value (it is not absent, deleted or expired). The value is not copied.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes in UTF-8.</exception>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "String and bytes overloads, as the shipped GetAsync and PutAsync: they differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public ValueTask<bool> ContainsKeyAsync(string key, ReadOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return ContainsKeyAsync(Encoding.UTF8.GetBytes(key), options, cancellationToken);
    }

    /// <summary>The visible row of each key, all read from one state at one sequence.</summary>
    private async ValueTask<RowEntry?[]> GetRowsAsync(ReadOnlyMemory<byte>[] keys, ReadOptions options, CancellationToken cancellationToken)
    {
        foreach (var key in keys)
        {
            WriteBatch.ValidateKey(key.Span, nameof(keys));
        }

        cancellationToken.ThrowIfCancellationRequested();
        ThrowIfClosed();
        _c.Metrics.Gets.Add(keys.Length);
        var maxSeq = MaxVisibleSeq(options.DurabilityFilter, options.Dirty);
        var state = State;
        var rows = new RowEntry?[keys.Length];
        for (var i = 0; i < keys.Length; i++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            rows[i] = await FindVisibleAsync(state, keys[i], maxSeq, options.CacheBlocks, cancellationToken).ConfigureAwait(false);
        }

        return rows;
    }
}
