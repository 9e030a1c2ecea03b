using System.IO.Enumeration;
using System.Runtime.CompilerServices;

namespace SlateDB.Storage;

/// <summary>Listing: a depth-first walk of the folders a prefix covers.</summary>
public sealed partial class LocalFileSystemObjectStore
{
    private static readonly EnumerationOptions s_enumerationOptions = new()
    {
        RecurseSubdirectories = false,
        IgnoreInaccessible = false,
        AttributesToSkip = 0,
        ReturnSpecialDirectories = false,
    };

    /// <inheritdoc/>
    /// <remarks>
    /// Objects come in ordinal order of their paths. The walk reads one folder at a time, so objects written or deleted
    /// during the listing may or may not appear; files that vanish mid-walk are skipped.
    /// </remarks>
    public IAsyncEnumerable<ObjectMetadata> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        ValidateNoReservedCharacter(prefix, nameof(prefix), isPrefix: true);
        return ListCoreAsync(prefix, cancellationToken);
    }

    private async IAsyncEnumerable<ObjectMetadata> ListCoreAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        // "db/wal/0000" walks the folder db/wal, keeping entries whose name starts with "0000" (files, and whole
        // sub-folders); "db/wal/" and "" keep everything in db/wal and in the root.
        var lastSlash = prefix.LastIndexOf('/');
        var folderKey = lastSlash < 0 ? string.Empty : prefix[..lastSlash];
        var namePrefix = prefix[(lastSlash + 1)..];

        var pending = new Stack<Frame>();
        pending.Push(await ReadFolderAsync(folderKey, namePrefix, cancellationToken).ConfigureAwait(false));
        while (pending.Count > 0)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var frame = pending.Peek();
            if (frame.Next >= frame.Entries.Count)
            {
                pending.Pop();
                continue;
            }

            var entry = frame.Entries[frame.Next++];
            var key = frame.FolderKey.Length == 0 ? entry.Name : string.Concat(frame.FolderKey, "/", entry.Name);
            if (entry.IsFolder)
            {
                pending.Push(await ReadFolderAsync(key, namePrefix: string.Empty, cancellationToken).ConfigureAwait(false));
                continue;
            }

            ObjectMetadata? metadata;
            try
            {
                metadata = LocalFileApi.Stat(ToFullPathUnchecked(key), out var stamp) == LocalEntryKind.File ? ToMetadata(key, stamp) : null;
            }
            catch (Exception e) when (IsIoFailure(e))
            {
                throw Failure(e, "list", key);
            }

            if (metadata is not null)
            {
                yield return metadata;
            }
        }
    }

    /// <summary>Reads one folder's entries (skipping reserved names), sorted so the walk yields paths in ordinal order.</summary>
    private async ValueTask<Frame> ReadFolderAsync(string folderKey, string namePrefix, CancellationToken cancellationToken)
    {
        var folder = folderKey.Length == 0 ? _root : ToFullPathUnchecked(folderKey);
        var entries = await Task.Run(() => ReadFolder(folder, namePrefix, folderKey), cancellationToken).ConfigureAwait(false);

        // A folder sorts as its name followed by '/', so "a-b" (0x2D) comes before the objects in "a/" (0x2F).
        entries.Sort(static (x, y) => string.CompareOrdinal(x.SortKey, y.SortKey));
        return new Frame(folderKey, entries);
    }

    private List<Entry> ReadFolder(string folder, string namePrefix, string folderKey)
    {
        var entries = new List<Entry>();
        try
        {
            var enumerable = new FileSystemEnumerable<Entry>(
                folder,
                static (ref FileSystemEntry entry) => Entry.Create(entry.FileName.ToString(), entry.IsDirectory),
                s_enumerationOptions)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) =>
                    entry.FileName.StartsWith(namePrefix, StringComparison.Ordinal) && CanBeSegment(entry.FileName),
            };
            entries.AddRange(enumerable);
        }
        catch (DirectoryNotFoundException)
        {
            // The folder does not exist (nothing was written under it, or it was removed mid-walk).
        }
        catch (IOException e) when (OperatingSystem.IsLinux() && e.HResult == 20)
        {
            // ENOTDIR: the prefix names a path below an object (a file), under which nothing can be.
        }
        catch (Exception e) when (IsIoFailure(e))
        {
            throw Failure(e, "list", folderKey.Length == 0 ? "(root)" : folderKey + "/");
        }

        return entries;
    }

    /// <summary>False for reserved names (temporary and lock files) and names no object path can have.</summary>
    private static bool CanBeSegment(ReadOnlySpan<char> name)
    {
        foreach (var c in name)
        {
            if (c is '#' or '\\' || char.IsControl(c))
            {
                return false;
            }
        }

        return true;
    }

    private string ToFullPathUnchecked(string key) =>
        Path.Join(_root, Path.DirectorySeparatorChar == '/' ? key : key.Replace('/', Path.DirectorySeparatorChar));

    private readonly record struct Entry(string Name, bool IsFolder, string SortKey)
    {
        public static Entry Create(string name, bool isFolder) => new(name, isFolder, isFolder ? name + "/" : name);
    }

    private sealed class Frame(string folderKey, List<Entry> entries)
    {
        public string FolderKey { get; } = folderKey;

        public List<Entry> Entries { get; } = entries;

        public int Next { get; set; }
    }
}
