#include "forgelens/scan/scan_shard.h"

#include <QTest>

using namespace forgelens;

class TestScanShard : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void parsesKOfN()
    {
        Result<ShardSpec> spec = ShardSpec::parse(QStringLiteral("3/8"));
        QVERIFY(spec);
        QCOMPARE(spec->index, 3);
        QCOMPARE(spec->count, 8);
        QCOMPARE(spec->toString(), QStringLiteral("3/8"));
        QVERIFY(ShardSpec::parse(QStringLiteral("0/1"))->isWhole());
    }

    void refusesBadSpecs_data()
    {
        QTest::addColumn<QString>("text");
        for (const char *bad : { "8/8", "1/0", "-1/4", "a/b", "1", "1/2/3", "", " /2" })
            QTest::newRow(bad) << QString::fromLatin1(bad);
    }

    void refusesBadSpecs()
    {
        QFETCH(QString, text);
        Result<ShardSpec> spec = ShardSpec::parse(text);
        QVERIFY(!spec);
        QCOMPARE(spec.error().codeName(), QStringLiteral("bad-shard"));
    }

    void hashIsFnv1a64OfUtf8()
    {
        // Published FNV-1a 64 test vectors: the hash must never change between releases, or
        // shards of one scan run by two versions would overlap.
        QCOMPARE(stablePathHash(QString()), 0xcbf29ce484222325ULL);
        QCOMPARE(stablePathHash(QStringLiteral("a")), 0xaf63dc4c8601ec8cULL);
        QCOMPARE(stablePathHash(QStringLiteral("foobar")), 0x85944171f73967e8ULL);
        QVERIFY(stablePathHash(QStringLiteral("é")) != stablePathHash(QStringLiteral("e")));
    }

    void everyPathInExactlyOneShardAndSharesAreEven()
    {
        constexpr int count = 7;
        constexpr int paths = 7000;
        std::array<int, count> sizes{};
        for (int i = 0; i < paths; ++i) {
            const QString path = QStringLiteral("folder%1/IMG_%2.JPG").arg(i % 13).arg(i);
            int owners = 0;
            for (int k = 0; k < count; ++k) {
                if (ShardSpec{ k, count }.contains(path)) {
                    ++owners;
                    ++sizes[size_t(k)];
                }
            }
            QCOMPARE(owners, 1);
        }
        for (const int size : sizes)
            QVERIFY2(size > paths / count * 8 / 10 && size < paths / count * 12 / 10,
                qPrintable(QString::number(size)));
    }
};

QTEST_GUILESS_MAIN(TestScanShard)
#include "tst_scan_shard.moc"
