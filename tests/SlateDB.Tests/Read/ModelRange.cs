namespace SlateDB.Tests.Read;

/// <summary>
/// A scan range as the tests model it, independently of <see cref="KeyRange"/>: bounds compared bytewise, or a
/// prefix matched with StartsWith. Carries the <see cref="KeyRange"/> under test and how it was built.
/// </summary>
internal sealed record ModelRange(KeyRange Range, byte[]? Start, bool StartInclusive, byte[]? End, bool EndInclusive, byte[]? Prefix, string Description)
{
    public bool Contains(byte[] key)
    {
        if (Prefix is not null)
        {
            return key.AsSpan().StartsWith(Prefix);
        }

        if (Start is not null)
        {
            var order = key.AsSpan().SequenceCompareTo(Start);
            if (order < 0 || (order == 0 && !StartInclusive))
            {
                return false;
            }
        }

        if (End is not null)
        {
            var order = key.AsSpan().SequenceCompareTo(End);
            if (order > 0 || (order == 0 && !EndInclusive))
            {
                return false;
            }
        }

        return true;
    }

    public override string ToString() => Description;

    /// <summary>
    /// A bound for <see cref="KeyRange.Create"/>: null stays unbounded. (A null byte[], or <c>x ? null : memory</c>,
    /// converts to an empty but present key through ReadOnlyMemory's implicit conversion from arrays.)
    /// </summary>
    private static ReadOnlyMemory<byte>? Bound(byte[]? key)
    {
        if (key is null)
        {
            return null;
        }

        return key;
    }

    /// <summary>A random range of every kind the API offers: each bound unbounded, inclusive or exclusive; empty and inverted ranges; prefixes.</summary>
    public static ModelRange Random(Random r, Func<byte[]> boundKey, Func<byte[]> prefixKey)
    {
        switch (r.Next(12))
        {
            case 0:
                return new(KeyRange.All, null, false, null, false, null, "All");
            case 1:
            {
                var (a, b) = (boundKey(), boundKey());
                return new(KeyRange.Between(a, b), a, true, b, false, null, $"Between({ReadTestKit.Hex(a)}, {ReadTestKit.Hex(b)})");
            }

            case 2:
            {
                var (a, b) = (boundKey(), boundKey());
                return new(KeyRange.BetweenInclusive(a, b), a, true, b, true, null, $"BetweenInclusive({ReadTestKit.Hex(a)}, {ReadTestKit.Hex(b)})");
            }

            case 3:
            {
                var a = boundKey();
                return new(KeyRange.From(a), a, true, null, false, null, $"From({ReadTestKit.Hex(a)})");
            }

            case 4:
            {
                var a = boundKey();
                return new(KeyRange.After(a), a, false, null, false, null, $"After({ReadTestKit.Hex(a)})");
            }

            case 5:
            {
                var b = boundKey();
                return new(KeyRange.Before(b), null, false, b, false, null, $"Before({ReadTestKit.Hex(b)})");
            }

            case 6:
            {
                var b = boundKey();
                return new(KeyRange.UpTo(b), null, false, b, true, null, $"UpTo({ReadTestKit.Hex(b)})");
            }

            case 7:
            case 8:
            {
                var a = r.Next(4) == 0 ? null : boundKey();
                var b = r.Next(4) == 0 ? null : boundKey();
                var (ai, bi) = (r.Next(2) == 0, r.Next(2) == 0);
                var range = KeyRange.Create(Bound(a), ai, Bound(b), bi);
                return new(range, a, ai, b, bi, null, $"Create({ReadTestKit.Hex(a)}, {ai}, {ReadTestKit.Hex(b)}, {bi})");
            }

            case 9:
            {
                // Empty: one key with an exclusive end, or the bounds inverted.
                var a = boundKey();
                var b = boundKey();
                if (a.AsSpan().SequenceCompareTo(b) < 0)
                {
                    (a, b) = (b, a);
                }

                var (ai, bi) = (r.Next(2) == 0, a.AsSpan().SequenceEqual(b) ? false : r.Next(2) == 0);
                return new(KeyRange.Create(a, ai, b, bi), a, ai, b, bi, null, $"Empty({ReadTestKit.Hex(a)}, {ai}, {ReadTestKit.Hex(b)}, {bi})");
            }

            default:
            {
                var p = prefixKey();
                return new(KeyRange.Prefix(p), null, false, null, false, p, $"Prefix({ReadTestKit.Hex(p)})");
            }
        }
    }
}
