using System.Text.Json.Nodes;
using SlateDB.Compatibility.Tests.Infrastructure;
using SlateDB.Compatibility.Tests.Model;

namespace SlateDB.Compatibility.Tests.Engines;

/// <summary>The real SlateDB 0.12.1 through one driver process, which may open and close the database many times.</summary>
internal sealed class RustEngine : ICompatEngine
{
    private RustEngine(RustSlateDb driver)
    {
        Driver = driver;
    }

    public EngineKind Kind => EngineKind.Rust;

    public bool IsOpen { get; private set; }

    public RustSlateDb Driver { get; }

    public static async Task<RustEngine> StartAsync() => new(await RustSlateDb.StartAsync());

    public async Task OpenAsync(TestDatabase database, EngineSettings settings)
    {
        var literals = new JsonObject();
        foreach (var (name, literal) in settings.ToRustSettings())
        {
            literals[name] = literal;
        }

        await Driver.SendAsync(new JsonObject { ["op"] = "open", ["store"] = database.StoreUrl, ["path"] = database.Path, ["settings"] = literals });
        IsOpen = true;
    }

    public Task<WriteResult> PutAsync(byte[] key, byte[] value, long? ttlMs = null, bool awaitDurable = true) =>
        WriteAsync(WithTtl(new JsonObject { ["op"] = "put", ["key"] = ToHex(key), ["value"] = ToHex(value), ["await_durable"] = awaitDurable }, ttlMs));

    public Task<WriteResult> DeleteAsync(byte[] key, bool awaitDurable = true) =>
        WriteAsync(new JsonObject { ["op"] = "delete", ["key"] = ToHex(key), ["await_durable"] = awaitDurable });

    public Task<WriteResult> WriteBatchAsync(IReadOnlyList<ModelOp> ops, bool awaitDurable = true) =>
        WriteAsync(BatchCommand(ops, awaitDurable));

    /// <summary>The driver's batch command for these operations.</summary>
    public static JsonObject BatchCommand(IReadOnlyList<ModelOp> ops, bool awaitDurable)
    {
        var list = new JsonArray();
        foreach (var op in ops)
        {
            list.Add(op.IsDelete
                ? new JsonObject { ["op"] = "delete", ["key"] = ToHex(op.Key) }
                : WithTtl(new JsonObject { ["op"] = "put", ["key"] = ToHex(op.Key), ["value"] = ToHex(op.Value!) }, op.TtlMs));
        }

        return new JsonObject { ["op"] = "batch", ["ops"] = list, ["await_durable"] = awaitDurable };
    }

    public async Task<ReadRow?> GetAsync(byte[] key)
    {
        var answer = await Driver.SendAsync(new JsonObject { ["op"] = "get", ["key"] = ToHex(key), ["meta"] = true });
        var value = (string?)answer["value"];
        return value is null
            ? null
            : new ReadRow(Convert.FromHexString(value), (long)answer["seq"]!, (long)answer["create_ts"]!, (long?)answer["expire_ts"]);
    }

    public async Task<IReadOnlyList<KeyValuePair<byte[], byte[]>>> ScanAsync(byte[]? start = null, byte[]? endExclusive = null)
    {
        var command = new JsonObject { ["op"] = "scan" };
        if (start is not null)
        {
            command["start"] = ToHex(start);
        }

        if (endExclusive is not null)
        {
            command["end"] = ToHex(endExclusive);
        }

        var answer = await Driver.SendAsync(command);
        return [.. answer["rows"]!.AsArray().Select(r => new KeyValuePair<byte[], byte[]>(Convert.FromHexString((string)r![0]!), Convert.FromHexString((string)r[1]!)))];
    }

    public async Task FlushWalAsync() => await Driver.SendAsync(new JsonObject { ["op"] = "flush", ["kind"] = "wal" });

    public async Task FlushMemtableAsync() => await Driver.SendAsync(new JsonObject { ["op"] = "flush", ["kind"] = "memtable" });

    public async Task CloseAsync()
    {
        IsOpen = false;
        await Driver.SendAsync(new JsonObject { ["op"] = "close" });
    }

    public ValueTask DisposeAsync() => Driver.DisposeAsync();

    public static string ToHex(byte[] bytes) => Convert.ToHexStringLower(bytes);

    private async Task<WriteResult> WriteAsync(JsonObject command)
    {
        var answer = await Driver.SendAsync(command);
        return new WriteResult((long)answer["seq"]!, (long)answer["create_ts"]!);
    }

    private static JsonObject WithTtl(JsonObject command, long? ttlMs)
    {
        if (ttlMs is { } ms)
        {
            command["ttl_ms"] = ms;
        }

        return command;
    }
}
