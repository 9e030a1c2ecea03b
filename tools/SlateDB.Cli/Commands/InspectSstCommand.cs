using System.CommandLine;
using System.Globalization;
using SlateDB.Cli.Infrastructure;
using Spectre.Console;

namespace SlateDB.Cli.Commands;

/// <summary><c>inspect-sst</c>: one SST's info, index, filter, statistics and (optionally) rows, through <see cref="SstReader"/>.</summary>
internal static class InspectSstCommand
{
    public static Command Create()
    {
        var id = new Argument<string>("sst") { Description = "A compacted SST's ULID, a WAL SST's number, or an object path (with a '/')." };
        var rows = new Option<bool>("--rows") { Description = "Also print the rows (every version, tombstones included)." };
        var block = new Option<int?>("--block") { Description = "Only the rows of this block." };
        var keyMode = new Option<BytesMode>("--key") { Description = "How keys are shown: auto, utf8, hex.", DefaultValueFactory = _ => BytesMode.Auto };
        var valueMode = new Option<BytesMode>("--value") { Description = "How values are shown: auto, utf8, hex, none.", DefaultValueFactory = _ => BytesMode.Auto };
        var command = new Command("inspect-sst", "Shows one SST: info, index (blocks and first keys), bloom filter, statistics; with --rows its rows.\n\nExamples:\n  slatedb inspect-sst --url file:///data/mydb 01JH0000000000000000000000\n  slatedb inspect-sst --url file:///data/mydb 17 --rows --json   (WAL SST 17)")
        {
            id, rows, block, keyMode, valueMode,
        };
        return command.WithAction(async context =>
        {
            var target = context.Target;
            var reader = SstReader.For(target.DbPath, target.Store);
            var name = context.Get(id)!;
            var path = name.Contains('/', StringComparison.Ordinal) ? name : reader.ObjectPathOf(name);
            if (await target.Store.HeadAsync(path, context.CancellationToken).ConfigureAwait(false) is null)
            {
                throw new CliException(ExitCodes.NotFound, $"There is no SST '{path}' in '{target.StoreUrl}'.");
            }

            var sst = await reader.OpenObjectAsync(path, context.CancellationToken).ConfigureAwait(false);
            var stats = await sst.ReadStatisticsAsync(context.CancellationToken).ConfigureAwait(false);
            var keys = context.Get(keyMode);
            var values = context.Get(valueMode);
            List<RowOut>? rowList = null;
            if (context.Get(rows) || context.Get(block) is not null)
            {
                rowList = [];
                var blocks = context.Get(block) is { } only ? [only] : Enumerable.Range(0, sst.Index.Count);
                foreach (var b in blocks)
                {
                    if (b < 0 || b >= sst.Index.Count)
                    {
                        throw new CliException(ExitCodes.Usage, $"--block {b}: the SST has blocks 0..{sst.Index.Count - 1}.");
                    }

                    foreach (var row in await sst.ReadBlockAsync(b, context.CancellationToken).ConfigureAwait(false))
                    {
                        rowList.Add(new RowOut(
                            b,
                            row.Kind,
                            Bytes.Render(row.Key.Span, keys),
                            row.Value is { } v && values != BytesMode.None ? Bytes.Render(v.Span, values) : null,
                            row.Sequence,
                            row.CreateTs,
                            row.ExpireTs));
                    }
                }
            }

            var info = sst.Info;
            var report = new
            {
                object_path = sst.ObjectPath,
                size = sst.Size,
                format_version = sst.FormatVersion,
                info = new
                {
                    kind = info.Kind,
                    compression = info.Compression,
                    first_key = info.FirstKey is { } f ? Bytes.Render(f.Span, keys) : null,
                    last_key = info.LastKey is { } l ? Bytes.Render(l.Span, keys) : null,
                    index_offset = info.IndexOffset,
                    index_length = info.IndexLength,
                    filter_offset = info.FilterOffset,
                    filter_length = info.FilterLength,
                    filter_format = info.FilterFormat,
                    stats_offset = info.StatsOffset,
                    stats_length = info.StatsLength,
                },
                filter = sst.Filter,
                stats = stats is null ? null : new { puts = stats.Puts, deletes = stats.Deletes, merges = stats.Merges, rows = stats.Rows, raw_key_bytes = stats.RawKeyBytes, raw_value_bytes = stats.RawValueBytes },
                index = sst.Index.Select(e => new
                {
                    block = e.Block,
                    offset = e.Offset,
                    length = e.Length,
                    first_key = Bytes.Render(e.FirstKey.Span, keys),
                    rows = stats is not null && e.Block < stats.Blocks.Count ? stats.Blocks[e.Block].Puts + stats.Blocks[e.Block].Deletes + stats.Blocks[e.Block].Merges : (int?)null,
                }).ToList(),
                rows = rowList,
            };
            if (context.Json)
            {
                context.WriteJson(report);
                return ExitCodes.Ok;
            }

            var root = new Tree($"[bold]{Markup.Escape(sst.ObjectPath)}[/]  {Bytes.Size(sst.Size)}, format v{sst.FormatVersion}");
            root.AddNode(Markup.Escape($"{info.Kind} SST, compression {info.Compression}, keys {report.info.first_key} .. {report.info.last_key ?? "?"}"));
            root.AddNode(sst.Filter is { } filter ? $"bloom filter: {Bytes.Size(filter.Bytes)}, {filter.Probes} probes ({info.FilterFormat})" : "no filter");
            root.AddNode(stats is null ? "no statistics block" : $"rows: {stats.Rows} ({stats.Puts} puts, {stats.Deletes} deletes, {stats.Merges} merges); raw keys {Bytes.Size(stats.RawKeyBytes)}, values {Bytes.Size(stats.RawValueBytes)}");
            context.Out.Write(root);
            var table = new Table().Title("index").AddColumns("block", "offset", "length", "rows", "first key");
            foreach (var e in report.index)
            {
                table.AddRow(N(e.block), N(e.offset), N(e.length), e.rows is { } r ? N(r) : "", Markup.Escape(e.first_key));
            }

            context.Out.Write(table);
            if (rowList is not null)
            {
                foreach (var row in rowList)
                {
                    context.StdOut.WriteLine($"{row.Block}\t{row.Seq}\t{row.Kind}\t{row.Key}\t{row.Value}");
                }
            }

            return ExitCodes.Ok;
        });
    }

    private sealed record RowOut(int Block, WalRowKind Kind, string Key, string? Value, long Seq, long? CreateTs, long? ExpireTs);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
