using System.Text;

namespace SlateDB;

public sealed partial class SlateDb
{
    /// <summary>Writes a binary value (a <c>byte[]</c>, a slice of one, ...) under a UTF-8 string key.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    /// <exception cref="ArgumentException">The key is empty or longer than 65,535 bytes in UTF-8.</exception>
    /// <exception cref="SlateDbException">Closed: the database is closed or was fenced.</exception>
    /// <remarks>A write that failed with Closed or was cancelled may still have been applied; see <see cref="PutAsync(ReadOnlyMemory{byte}, ReadOnlyMemory{byte}, PutOptions?, WriteOptions?, CancellationToken)"/>.</remarks>
    [System.Diagnostics.CodeAnalysis.SuppressMessage("ApiDesign", "RS0026:Do not add multiple public overloads with optional parameters", Justification = "A string/bytes overload of a shipped method: overloads differ in a required parameter's type, which no argument converts to both, so omitting the optional ones is never ambiguous.")]
    public ValueTask<WriteHandle> PutAsync(string key, ReadOnlyMemory<byte> value, PutOptions? putOptions = null, WriteOptions? writeOptions = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(key);
        return PutAsync(Encoding.UTF8.GetBytes(key), value, putOptions, writeOptions, cancellationToken);
    }
}
