namespace SlateDB.Tests.Format.Filters;

/// <summary>
/// A bloom filter written by the real SlateDB 0.12.1 (npm <c>@slatedb/uniffi@0.12.1</c>, default settings:
/// 10 bits per key, no compression). One write batch put the 1,200 keys <c>key00000</c> .. <c>key01199</c>
/// (ASCII, values <c>v0</c> .. <c>v1199</c>), then a memtable flush wrote one L0 SST. Its <c>SsTableInfo</c> has
/// no <c>filter_format</c> field (legacy) and <c>filter_len</c> 1,506: the 1,502 bytes below followed by their
/// CRC32 (<c>ede5ab7d</c>). 1,200 keys x 10 bits = 12,000 bits = 1,500 bytes, after the probe count <c>00 06</c>.
/// </summary>
internal static class RealEngineBloomFixture
{
    public const int KeyCount = 1200;

    public const uint Crc32 = 0xede5ab7d;

    public static string Key(int i) => "key" + i.ToString("D5", System.Globalization.CultureInfo.InvariantCulture);

    public static byte[] FilterBytes() => Convert.FromBase64String(
        "AAb3y5IiLzGWwUFgAyiUWrwgAfmPeeKNT+KOXA5bmSLTCI9Mi7MRwJSCnNeyhgAjwLnIM5xrH7BbPAwHUa5kTGlIpJYgU5IgB7tE"
        + "ZUT0IRGGZPwzhwcInaknRww4lBp720NKexIIOpdIojCMtJ+4RuDlxFicjo9oZBCkVdTYoKvb6wO7PYTJKVWpQI+UFB2/1lSbtyXL"
        + "JAD2CD1MxK06Z0dRycfZnA8zq4GUWCK2XiMo2dxDILkaMkE0T7UTggaUieqH7QnY1uGCUB5AzauwGVlR9ire7C5T4dKEKeM9qyGZ"
        + "cEgCAE9OSqi/YMQCziXgWG9RRsIi1Q2WKjysyUWBSg0cEtDt0/KXQLuQmAnsm1a/lUPKC+4bj+ouFdwVkIeh/DquBXmSOxYMhJJu"
        + "EACQzwLd1fhU3EOsHvegUAyTUxybsZDjmFN8b7FBH7IAMoQtqDX/Jdr4insIyEhAA2SeOoxWA8zu5GxgrEJnCLXeCx5p8IKjwS2K"
        + "3IpVNBBPiraZB5FrUSAJLMT6nlhUPz14KUkqd6JlqCur6Fu36JWVMjAOFxAA5kFqlBAA3AmnkH2xK1SNmbgjywUFHexTxRmE9eig"
        + "JQaYnDFwZweoJaQ17EVJLEl3cQyjmyvlBvRICELkklLCOgth5Et0aqchkQjqZoonSDS/G0/NnQSyUWbG2BhUHwIlBEZp0k3QUc1G"
        + "6SYCuBktg5FJGlOsciQSmP7OsgYo4sZ2qzeOjxG+E1dissx8c3ouIQ2RCzM7gAnBkOcKlVeZODeW2bqnqFQvpBXdIh6lVWLwwo2b"
        + "sSUpNl/URBoqywU2nW/BxWUcQctuJzIK6E1uIP5GjjHBbAK4rYLMdAxQz4aYWN2xKYvjAtXVVp5yxAYYwMP01nnNMXe6chzIkDaQ"
        + "g8kCIGgPRLgKBiqis/Tw1zAasO3xJfUaCAgRsKreaDWkvLwpA5WM1pexGqy2nw97o2AGF0zlAqXZT2QNXbdeslND09BhxpX6pymg"
        + "wBa1GiaAax08DhoK72won5g2ACpjHdCazrQKny4MPCUoFqk7BE6tIkg2+8Kl4IPhePXW5GjXdoYMNAh/7uTKkC+sCJR4Q0EMOTOg"
        + "xrxSeAS7bOam5yAAKFazBtNvhlFG5JWn3NAl/2HLw9+HFA5vzHBlk7I5qUCPcipGEGlhafZSK4J4QrNlB7WZeAY53jjEs6IGK9VT"
        + "zMhVd3eMNB2hUXcXoo2TIukTv9zk4h39luPF4Q68bpC48oB6VfkxgAcU4ZZAlElz3DtltKZ+k/uNoOKSWmjrqMNrgpmAnkrALDEa"
        + "8ESwsgFIQdB4UjjCe/AGsD1OLuzkUDRHxEylisiSWNFgeKWAXV8tYU/e4bVyhAcZEZGlLEdYIJUlRgjLCjtF2GqEWisymbTIG47S"
        + "bC31hkWFOFHicYy1aVNIFgV0tols08HImotPFTSJFRVwxCCZQLR2QkK9RTZczgPCgUyoa+EBcZifY49RlJAINuSzEoKf+6YiMnNm"
        + "T2RYHVz0jJLfJXPwEovG8zUjUtWM9IS65Eo+JNsiCZkQG6Jnpa0JiMKNEYtIw5qmC1RA2uCMgzTIU1RiODzGgLZAjA6jSsqGhZSO"
        + "6jdLG+ofCa8CgLpGXTXAI0Z5EENpdW+tAyNwKk0MOCmWpD27hsJUSITqgECIDQEajUy4sJGNJQ6hDVMoxoKGE9vACpdz2y3TgUPi"
        + "+K/OcA6ScYgzh9YBiVb08HZOFCmiYRQQgSTfdbBaxZiAfmuI+tsUnOTvF68+qHFYXUoMqCQKlKbLW3CRk6Sbd6ORbpWbPAWWvXM0"
        + "sPAPhXcMLSPx8uKYBdowoKE1idPAVRHC1WdYRGiq+EweAEJ6wFaiRBkwjgA6d7DsFz7ykx2cdCxpJah+L3ZyDOVgMgiNhnPUoPsF"
        + "b9iaZgdgI01tundxfoRuGud3gkuxj1CUvDGvG60VzABq0TIpKTQn2Ak2WXQ1IZuj0siQXOB6BiZQBNmnK7GafKQ0ec84onmLl4Qv"
        + "0XU=");
}
