using System.Text;

namespace Fraud.Baskets.Tests;

public sealed class BasketCsvRobustnessTests
{
    [Fact]
    public void DamagedFilesFailOnlyWithALocatedCsvError()
    {
        var text = new StringWriter();
        BasketCsv.WriteBaskets(text, SyntheticBaskets.Generate(new GeneratorOptions { Rows = 40, Seed = 8 }).Select(g => g.Basket));
        var original = text.ToString();
        var random = new Random(1234);
        const string Noise = ",\"\r\n x9.-é";
        var failures = 0;

        for (var round = 0; round < 300; round++)
        {
            var damaged = new StringBuilder(original);
            for (var edit = random.Next(1, 6); edit > 0; edit--)
            {
                var at = random.Next(damaged.Length);
                switch (random.Next(3))
                {
                    case 0: damaged.Remove(at, Math.Min(random.Next(1, 40), damaged.Length - at)); break;
                    case 1: damaged.Insert(at, Noise[random.Next(Noise.Length)]); break;
                    default: damaged[at] = Noise[random.Next(Noise.Length)]; break;
                }
            }

            try
            {
                foreach (var basket in BasketCsv.ReadBaskets(new StringReader(damaged.ToString())))
                {
                    Assert.True(BasketValidation.IsValid(basket));
                }
            }
            catch (BasketCsvException ex)
            {
                failures++;
                Assert.True(ex.Line >= 1, ex.Message);
            }
        }

        Assert.True(failures > 100, $"only {failures} of 300 damaged files were rejected");
    }

    [Fact]
    public void RejectsARecordThatNeverEndsInsteadOfGrowingWithoutBound()
    {
        var csv = ChallengeCsv.Header() + "\n1,\"" + new string('x', CsvTokenizerLimit + 10);

        var error = Assert.Throws<BasketCsvException>(() => BasketCsv.ReadBaskets(new StringReader(csv)).ToList());

        Assert.Equal(2, error.Line);
        Assert.Equal("item1", error.Column);
    }

    private const int CsvTokenizerLimit = 1 << 20;
}
