namespace Fraud.Baskets;

/// <summary>What a basket file holds, gathered in one streaming pass by <see cref="BasketFileSummary.Read"/>.</summary>
public sealed record BasketFileSummary(long Rows, long Items, double TotalAmount, long Frauds, JoinReport? Join)
{
    public double ItemsPerBasket => Rows == 0 ? 0 : (double)Items / Rows;

    /// <summary>Share of labelled baskets that are fraud (0 without labels).</summary>
    public double FraudRate => Join is null || Join.Matched == 0 ? 0 : (double)Frauds / Join.Matched;

    /// <summary>
    /// Streams <paramref name="featuresPath"/> (memory stays flat however long it is), joining labels from
    /// <paramref name="labelsPath"/> or from a <c>fraud_flag</c> column when the file has one.
    /// <paramref name="bytesRead"/> receives the file position as reading advances.
    /// </summary>
    public static BasketFileSummary Read(string featuresPath, string? labelsPath, CsvReadOptions? options = null, IProgress<long>? bytesRead = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(featuresPath);
        options ??= new CsvReadOptions();
        var labels = labelsPath is null ? null : BasketCsv.ReadLabels(labelsPath, new CsvReadOptions { SkipBadRows = options.SkipBadRows });
        options.Stats.Reset();
        using var text = BasketCsv.OpenText(featuresPath);
        var reader = new BasketCsvReader(text, options, featuresPath);
        var joined = labels is not null || reader.HasLabelColumn;
        var join = new JoinBuilder(keepIds: false);
        long rows = 0, items = 0, frauds = 0;
        double amount = 0;
        while (reader.TryRead(out var basket, out var columnLabel))
        {
            rows++;
            items += basket.Items.Count;
            amount += basket.TotalAmount;
            if (joined)
            {
                bool? label = labels is null ? columnLabel : labels.TryGetValue(basket.Id, out var l) ? l : null;
                if (join.Accept(basket.Id, label.HasValue) && label == true)
                {
                    frauds++;
                }
            }

            if ((rows & 0xFFF) == 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                bytesRead?.Report(text.BaseStream.Position);
            }
        }

        bytesRead?.Report(text.BaseStream.Length);
        return new BasketFileSummary(rows, items, amount, frauds, joined ? join.Finish(labels) : null);
    }
}
