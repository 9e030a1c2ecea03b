namespace SlateDB.Storage.Aws;

/// <summary>How <see cref="S3ObjectStore"/> sends the version named by a conditional update in <c>If-Match</c>.</summary>
public enum S3IfMatchQuoting
{
    /// <summary>
    /// The ETag without its quotes (<c>If-Match: 644be0...</c>), the default. Ceph radosgw (checked with 16.2) compares
    /// the header byte for byte with its stored, unquoted ETag and refuses the quoted form even when it matches.
    /// RFC 9110 writes entity tags quoted; Amazon S3's API reference only says If-Match "expects the ETag value as a
    /// string", and public reports from S3 emulator projects (adobe/S3Mock issue 2665, rustfs issue 1458) say Amazon S3
    /// treats unquoted ETags in conditional headers as if quoted. That could not be checked against Amazon S3 from
    /// here: should it refuse the unquoted form for a conditional PutObject, choose <see cref="Quoted"/>.
    /// </summary>
    Unquoted,

    /// <summary>The ETag with quotes, as RFC 9110 writes an entity tag (<c>If-Match: "644be0..."</c>).</summary>
    Quoted,
}
