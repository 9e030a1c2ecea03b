using SlateDB.Compatibility.Tests.Engines;

namespace SlateDB.Compatibility.Tests.Model;

/// <summary>Writes through an engine and records each write, with what the engine returned, in the model.</summary>
internal sealed class ModelWriter(ICompatEngine engine, DbModel model)
{
    public ICompatEngine Engine { get; } = engine;

    public DbModel Model { get; } = model;

    public async Task<WriteResult> PutAsync(byte[] key, byte[] value, long? ttlMs = null, bool awaitDurable = false)
    {
        var result = await Engine.PutAsync(key, value, ttlMs, awaitDurable);
        Model.Record([ModelOp.Put(key, value, ttlMs)], result, Engine.Kind);
        return result;
    }

    public async Task<WriteResult> DeleteAsync(byte[] key, bool awaitDurable = false)
    {
        var result = await Engine.DeleteAsync(key, awaitDurable);
        Model.Record([ModelOp.Delete(key)], result, Engine.Kind);
        return result;
    }

    public async Task<WriteResult> BatchAsync(IReadOnlyList<ModelOp> ops, bool awaitDurable = false)
    {
        var result = await Engine.WriteBatchAsync(ops, awaitDurable);
        Model.Record(ops, result, Engine.Kind);
        return result;
    }

    public async Task ApplyAsync(ModelOp op, bool awaitDurable = false)
    {
        if (op.IsDelete)
        {
            await DeleteAsync(op.Key, awaitDurable);
        }
        else
        {
            await PutAsync(op.Key, op.Value!, op.TtlMs, awaitDurable);
        }
    }
}
