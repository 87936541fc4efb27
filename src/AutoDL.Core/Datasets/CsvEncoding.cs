using System.Text.Json.Serialization;

namespace AutoDL.Core.Datasets;

/// <summary>How a CSV file's bytes become text.</summary>
[JsonConverter(typeof(CamelCaseEnumConverter<CsvEncoding>))]
public enum CsvEncoding
{
    /// <summary>UTF-8, with or without a byte-order mark (plain ASCII is UTF-8 too).</summary>
    Utf8,

    /// <summary>UTF-16 little-endian, recognised by its byte-order mark (FF FE).</summary>
    Utf16LittleEndian,

    /// <summary>UTF-16 big-endian, recognised by its byte-order mark (FE FF).</summary>
    Utf16BigEndian,

    /// <summary>ISO-8859-1, the fallback for text that is not valid UTF-8 (every byte is one character).</summary>
    Latin1,
}
