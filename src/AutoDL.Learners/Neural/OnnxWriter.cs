using System.Buffers.Binary;
using System.Runtime.InteropServices;
using System.Text;

namespace AutoDL.Learners.Neural;

/// <summary>An attribute of an ONNX node: one integer, one float, or a list of integers.</summary>
internal sealed record OnnxAttribute(string Name, long? Int = null, float? Float = null, IReadOnlyList<long>? Ints = null)
{
    public static OnnxAttribute Of(string name, long value) => new(name, Int: value);

    public static OnnxAttribute Of(string name, float value) => new(name, Float: value);

    public static OnnxAttribute Of(string name, params long[] values) => new(name, Ints: values);
}

/// <summary>
/// A minimal ONNX encoder: one graph of float tensors with nodes of the default domain, initializers stored as raw
/// little-endian floats, one input and one output whose first dimension is the symbolic <c>batch</c>. It writes the
/// protobuf wire format by hand, with the field numbers of <c>onnx/onnx.proto</c> (ModelProto, GraphProto, NodeProto,
/// AttributeProto, TensorProto, ValueInfoProto, TypeProto, TensorShapeProto, OperatorSetIdProto); fields are written
/// unpacked, which every protobuf parser reads.
/// </summary>
internal sealed class OnnxWriter
{
    /// <summary>IR version 8 (ONNX 1.10 and later).</summary>
    public const long IrVersion = 8;

    /// <summary>The version of the default operator set the nodes are written for.</summary>
    public const long Opset = 17;

    public const string Producer = "AutoDL";

    private const int FloatType = 1;

    private readonly List<byte[]> nodes = [];
    private readonly List<byte[]> initializers = [];
    private readonly HashSet<string> names = new(StringComparer.Ordinal);
    private int counter;

    /// <summary>Nodes written so far.</summary>
    public int NodeCount => nodes.Count;

    /// <summary>A value name not used yet, from <paramref name="hint"/>.</summary>
    public string Fresh(string hint)
    {
        var name = hint;
        while (!names.Add(name))
        {
            name = $"{hint}_{++counter}";
        }

        return name;
    }

    /// <summary>Adds a float initializer (a constant of the graph) named <paramref name="name"/> (made unique).</summary>
    /// <returns>Its name.</returns>
    public string Initializer(string name, ReadOnlySpan<float> values, IReadOnlyList<long> dims)
    {
        if (dims.Aggregate(1L, (a, b) => a * b) != values.Length)
        {
            throw new ArgumentException($"Tensor '{name}' has {values.Length} values for shape [{string.Join(", ", dims)}].", nameof(dims));
        }

        name = Fresh(name);
        var tensor = new Message();
        foreach (var dim in dims)
        {
            tensor.Varint(1, dim);
        }

        tensor.Varint(2, FloatType);
        tensor.String(8, name);
        tensor.Bytes(9, LittleEndian(values));
        initializers.Add(tensor.ToArray());
        return name;
    }

    /// <summary>Adds a node of <paramref name="opType"/> with one output.</summary>
    /// <returns>The name of its output.</returns>
    public string Node(string opType, IReadOnlyList<string> inputs, params OnnxAttribute[] attributes)
    {
        var output = Fresh(opType.ToLowerInvariant());
        Node(opType, inputs, output, attributes);
        return output;
    }

    /// <summary>Adds a node of <paramref name="opType"/> writing <paramref name="output"/>.</summary>
    public void Node(string opType, IReadOnlyList<string> inputs, string output, params OnnxAttribute[] attributes)
    {
        names.Add(output);
        var node = new Message();
        foreach (var input in inputs)
        {
            node.String(1, input);
        }

        node.String(2, output);
        node.String(3, $"{opType}_{nodes.Count}");
        node.String(4, opType);
        foreach (var attribute in attributes)
        {
            node.Embedded(5, Attribute(attribute));
        }

        nodes.Add(node.ToArray());
    }

    /// <summary>
    /// The model: the graph with input <paramref name="input"/> and output <paramref name="output"/>, both float
    /// tensors of shape [batch, <paramref name="inputShape"/>…] and [batch, <paramref name="outputShape"/>…].
    /// </summary>
    public byte[] Model(string graphName, string input, IReadOnlyList<int> inputShape, string output, IReadOnlyList<int> outputShape)
    {
        var graph = new Message();
        foreach (var node in nodes)
        {
            graph.Bytes(1, node);
        }

        graph.String(2, graphName);
        foreach (var initializer in initializers)
        {
            graph.Bytes(5, initializer);
        }

        graph.Embedded(11, ValueInfo(input, inputShape));
        graph.Embedded(12, ValueInfo(output, outputShape));

        var opset = new Message().String(1, "").Varint(2, Opset);
        var model = new Message()
            .Varint(1, IrVersion)
            .String(2, Producer)
            .String(3, typeof(OnnxWriter).Assembly.GetName().Version?.ToString() ?? "")
            .Embedded(7, graph)
            .Embedded(8, opset);
        return model.ToArray();
    }

    private static Message Attribute(OnnxAttribute attribute)
    {
        var message = new Message().String(1, attribute.Name);
        if (attribute.Int is { } i)
        {
            message.Varint(20, 2).Varint(3, i);
        }
        else if (attribute.Float is { } f)
        {
            message.Varint(20, 1).Float(2, f);
        }
        else if (attribute.Ints is { } ints)
        {
            message.Varint(20, 7);
            foreach (var value in ints)
            {
                message.Varint(8, value);
            }
        }
        else
        {
            throw new ArgumentException($"Attribute '{attribute.Name}' has no value.", nameof(attribute));
        }

        return message;
    }

    /// <summary>ValueInfoProto { name, type: TypeProto { tensor_type: { elem_type FLOAT, shape [batch, dims…] } } }.</summary>
    private static Message ValueInfo(string name, IReadOnlyList<int> shape)
    {
        var dims = new Message().Embedded(1, new Message().String(2, "batch"));
        foreach (var dim in shape)
        {
            dims.Embedded(1, new Message().Varint(1, dim));
        }

        var tensor = new Message().Varint(1, FloatType).Embedded(2, dims);
        return new Message().String(1, name).Embedded(2, new Message().Embedded(1, tensor));
    }

    private static byte[] LittleEndian(ReadOnlySpan<float> values)
    {
        if (BitConverter.IsLittleEndian)
        {
            return MemoryMarshal.AsBytes(values).ToArray();
        }

        var bytes = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(bytes.AsSpan(i * sizeof(float)), values[i]);
        }

        return bytes;
    }

    /// <summary>A protobuf message being written: fields in the order they are added.</summary>
    private sealed class Message
    {
        private readonly MemoryStream stream = new();

        /// <summary>A varint field (int32, int64, enum); negative values take ten bytes, as protobuf writes them.</summary>
        public Message Varint(int field, long value)
        {
            Tag(field, 0);
            Raw((ulong)value);
            return this;
        }

        /// <summary>A float field (fixed 32 bits, little-endian).</summary>
        public Message Float(int field, float value)
        {
            Tag(field, 5);
            Span<byte> bytes = stackalloc byte[sizeof(float)];
            BinaryPrimitives.WriteSingleLittleEndian(bytes, value);
            stream.Write(bytes);
            return this;
        }

        /// <summary>A length-delimited field: bytes, or an embedded message's bytes.</summary>
        public Message Bytes(int field, ReadOnlySpan<byte> bytes)
        {
            Tag(field, 2);
            Raw((ulong)bytes.Length);
            stream.Write(bytes);
            return this;
        }

        public Message String(int field, string value) => Bytes(field, Encoding.UTF8.GetBytes(value));

        public Message Embedded(int field, Message message) => Bytes(field, message.stream.GetBuffer().AsSpan(0, (int)message.stream.Length));

        public byte[] ToArray() => stream.ToArray();

        private void Tag(int field, int wireType) => Raw((ulong)((field << 3) | wireType));

        private void Raw(ulong value)
        {
            while (value >= 0x80)
            {
                stream.WriteByte((byte)(value | 0x80));
                value >>= 7;
            }

            stream.WriteByte((byte)value);
        }
    }
}
