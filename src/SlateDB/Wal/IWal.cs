namespace SlateDB.Wal;

/// <summary>
/// One WAL implementation with all its faces: the writer, the reader (recovery), the admin (fencing) and the
/// garbage-collection side. The database holds its WAL through this, so another implementation plugs in here.
/// </summary>
internal interface IWal : IWalWriter, IWalReader, IWalAdmin, IWalGc;
