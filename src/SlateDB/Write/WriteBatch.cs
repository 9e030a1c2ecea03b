using SlateDB.Common;

namespace SlateDB;

/// <summary>
/// Puts and deletes applied atomically by <c>SlateDb.WriteAsync</c>: all of them get one sequence number and become
/// visible, and durable, together. A later operation on a key replaces an earlier one in the same batch.
/// Keys and values are copied when added, so the caller may reuse its buffers.
/// </summary>
public sealed class WriteBatch
{
    /// <summary>The longest key: 65,535 bytes.</summary>
    public const int MaxKeyLength = ushort.MaxValue;

    private const int IndexThreshold = 8;

    private readonly List<BatchOperation> _operations = [];
    private Dictionary<byte[], int>? _indexByKey;

    /// <summary>How many operations the batch holds (after replacements).</summary>
    public int Count => _operations.Count;

    /// <summary>True when the batch holds no operation.</summary>
    public bool IsEmpty => _operations.Count == 0;

    internal IReadOnlyList<BatchOperation> Operations => _operations;

    /// <summary>Adds a put.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxKeyLength"/>.</exception>
    public WriteBatch Put(ReadOnlyMemory<byte> key, ReadOnlyMemory<byte> value, PutOptions? options = null)
    {
        ValidateKey(key.Span);
        Add(new BatchOperation(key.ToArray(), value.ToArray(), IsDelete: false, (options ?? PutOptions.Default).Ttl));
        return this;
    }

    /// <summary>Adds a put of UTF-8 strings.</summary>
    public WriteBatch Put(string key, string value, PutOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        return Put(System.Text.Encoding.UTF8.GetBytes(key), System.Text.Encoding.UTF8.GetBytes(value), options);
    }

    /// <summary>Adds a delete.</summary>
    /// <exception cref="ArgumentException">The key is empty or longer than <see cref="MaxKeyLength"/>.</exception>
    public WriteBatch Delete(ReadOnlyMemory<byte> key)
    {
        ValidateKey(key.Span);
        Add(new BatchOperation(key.ToArray(), [], IsDelete: true, Ttl.Default));
        return this;
    }

    /// <summary>Adds a delete of a UTF-8 key.</summary>
    public WriteBatch Delete(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        return Delete(System.Text.Encoding.UTF8.GetBytes(key));
    }

    /// <summary>Checks a key: not empty and at most <see cref="MaxKeyLength"/> bytes.</summary>
    internal static void ValidateKey(ReadOnlySpan<byte> key, string paramName = "key")
    {
        if (key.IsEmpty)
        {
            throw new ArgumentException("A key must not be empty.", paramName);
        }

        if (key.Length > MaxKeyLength)
        {
            throw new ArgumentException($"A key must be at most {MaxKeyLength} bytes; this one has {key.Length}.", paramName);
        }
    }

    private void Add(BatchOperation operation)
    {
        if (_indexByKey is null)
        {
            for (var i = 0; i < _operations.Count; i++)
            {
                if (_operations[i].Key.AsSpan().SequenceEqual(operation.Key))
                {
                    _operations[i] = operation;
                    return;
                }
            }

            _operations.Add(operation);
            if (_operations.Count > IndexThreshold)
            {
                _indexByKey = new Dictionary<byte[], int>(ByteArrayEqualityComparer.Instance);
                for (var i = 0; i < _operations.Count; i++)
                {
                    _indexByKey[_operations[i].Key] = i;
                }
            }

            return;
        }

        if (_indexByKey.TryGetValue(operation.Key, out var index))
        {
            _operations[index] = operation;
        }
        else
        {
            _indexByKey[operation.Key] = _operations.Count;
            _operations.Add(operation);
        }
    }
}

/// <summary>One operation of a <see cref="WriteBatch"/>; the arrays are owned by the batch.</summary>
internal readonly record struct BatchOperation(byte[] Key, byte[] Value, bool IsDelete, Ttl Ttl);
