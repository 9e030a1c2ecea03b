using System.Reflection;
using System.Runtime.CompilerServices;
using SlateDB.Caching;
using SlateDB.Diagnostics;
using SlateDB.Format;
using SlateDB.Format.Blocks;
using SlateDB.Format.Filters;
using SlateDB.Format.FlatBuffers;
using SlateDB.Format.Rows;
using SlateDB.Memtable;
using SlateDB.Sst;
using SlateDB.Storage;

namespace SlateDB.ReadPath;

/// <summary>
/// The methods a point get runs on a cache hit and, outside async state machines, on a miss, which are marked
/// <see cref="MethodImplOptions.AggressiveOptimization"/>, and their compilation ahead of the first get.
/// </summary>
/// <remarks>
/// <para>Why they are marked: without it a fresh process ran them as the package's ReadyToRun code, then as code the JIT
/// re-compiled with instrumentation (dynamic PGO), and only then as final code, each stage slower than the last one's
/// final form; the stages took most of the first second of gets after a restart. Marked, the JIT compiles each fully
/// optimized once, and the runtime never re-compiles it (docs/packaging.md, "The point-read path").</para>
/// <para>A miss's methods went through the same stages, and their re-compilations were the larger part: in the first
/// pass of gets over 5,000,000 rows after a reopen, 1.5 s of JIT work on two cores, one method of the store's read
/// alone 58 ms. Their async state machines cannot be marked and still go through the stages.</para>
/// <para>The price is that the runtime does not use precompiled code for them: about 100 ms of JIT work in a process's
/// first gets. <see cref="PrepareInBackground"/>, called as the first database or reader of the process opens, does
/// that work on a pool thread while the open reads the manifest.</para>
/// </remarks>
internal static class PointReadCode
{
    /// <summary>The types that declare marked methods (a test checks that no marked method is left out).</summary>
    private static readonly Type[] Declaring =
    [
        typeof(SlateDb),
        typeof(TableStore),
        typeof(PointLookup),
        typeof(PointProbeOrder),
        typeof(SstFile),
        typeof(InstrumentedBlockCache),
        typeof(MemoryBlockCache),
        typeof(ClockCache<BlockCacheKey>),
        typeof(BloomLayout),
        typeof(BlockPointSearch),
        typeof(RowCodecV2),
        typeof(RowFlags),
        typeof(Crc32Ieee),

        // A miss: the read through the store's layers (the local folder's), the block's decoding and the SST's opening.
        typeof(KvTable),
        typeof(InstrumentedObjectStore),
        typeof(RetryingObjectStore),
        typeof(LocalFileSystemObjectStore),
        typeof(LocalReadHandles),
        typeof(ObjectPath),
        typeof(Checksum),
        typeof(Block),
        typeof(FlatBufferVerifier),
    ];

    private static int _started;

    /// <summary>The marked methods, with the types they are compiled for.</summary>
    internal static IEnumerable<(Type Type, MethodInfo Method)> Methods() =>
        from type in Declaring
        from method in type.GetMethods(BindingFlags.DeclaredOnly | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static)
        where (method.MethodImplementationFlags & MethodImplAttributes.AggressiveOptimization) != 0 && !method.IsGenericMethodDefinition
        select (type, method);

    /// <summary>Compiles the marked methods on a pool thread, once per process.</summary>
    public static void PrepareInBackground()
    {
        if (Interlocked.Exchange(ref _started, 1) == 0)
        {
            ThreadPool.UnsafeQueueUserWorkItem(static _ => Prepare(), null);
        }
    }

    /// <summary>Compiles the marked methods now (a get that needs one meanwhile waits for its compilation, not for all).</summary>
    internal static void Prepare()
    {
        foreach (var (type, method) in Methods())
        {
            try
            {
                PrepareOne(type, method);
            }
            catch (Exception e) when (e is ArgumentException or NotSupportedException)
            {
                // Only an optimization: the method is then compiled by the first get that calls it, as without this.
            }
        }
    }

    /// <summary>Compiles <paramref name="method"/> of <paramref name="type"/> (with its type arguments when generic).</summary>
    internal static void PrepareOne(Type type, MethodInfo method)
    {
        if (type.IsGenericType)
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle, [.. type.GetGenericArguments().Select(argument => argument.TypeHandle)]);
        }
        else
        {
            RuntimeHelpers.PrepareMethod(method.MethodHandle);
        }
    }
}
