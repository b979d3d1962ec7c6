import Testing
import TableIO
@testable import Generator

@Suite("creator planning")
struct CreatorPlannerTests {
    static func plan(seed: UInt64 = 42, scale: Double = 1) -> (CreatorParameters, [CreatorPlan]) {
        let parameters = CreatorParameters(scale: scale)
        return (parameters, CreatorPlanner(parameters: parameters, streams: RandomStreams(seed: seed)).plan())
    }

    @Test("creators, categories and size weights follow the seed's mix", arguments: [UInt64(42), 7])
    func mixAndWeights(seed: UInt64) {
        let (_, creators) = Self.plan(seed: seed)
        #expect(creators.count == 500)
        let perCategory = (0..<7).map { category in creators.filter { $0.category == category }.count }
        #expect(perCategory == [125, 100, 90, 75, 50, 35, 25])
        #expect(abs(creators.map(\.sizeWeight).reduce(0, +) - 1) < 1e-9)
        #expect(Set(creators.map(\.sizeRank)) == Set(0..<500))
        let top = creators.filter { $0.intendedTier == 0 }
        #expect(top.count == 50)
        #expect(creators.filter { $0.intendedTier == 1 }.count == 150)
        #expect(abs(top.map(\.sizeWeight).reduce(0, +) - CreatorParameters().topWeightShare) < 1e-9)
        #expect(Set(creators.map(\.name)).count == 500)
    }

    @Test("tiers: 2 to 4 per creator, rank 4 only for top creators, prices inside the seed's bands")
    func tiers() {
        let (_, creators) = Self.plan()
        let bands: [ClosedRange<Int>] = [200...500, 700...1_500, 2_000...5_000, 7_500...15_000]
        var numbers: [Int] = []
        for creator in creators {
            #expect((2...4).contains(creator.tiers.count))
            if creator.tiers.count == 4 { #expect(creator.intendedTier == 0) }
            for (offset, tier) in creator.tiers.enumerated() {
                #expect(tier.rank == offset + 1)
                #expect(bands[tier.rank - 1].contains(tier.priceCents))
                #expect(tier.createdAt >= creator.createdAt)
                numbers.append(tier.number)
            }
        }
        #expect(numbers == Array(1...numbers.count))
    }

    @Test("posts lie inside the window, after creation and before departure, in order")
    func posts() {
        let (parameters, creators) = Self.plan()
        var numbers: [Int] = []
        for creator in creators {
            for (previous, post) in zip([nil] + creator.posts.map(Optional.some), creator.posts) {
                #expect(post.publishedAt >= parameters.windowStartMoment && post.publishedAt <= parameters.asOf)
                #expect(post.publishedAt > creator.createdAt)
                if let departure = creator.departure { #expect(post.publishedAt < departure) }
                if let previous { #expect(previous.publishedAt <= post.publishedAt) }
                #expect(post.minimumRank <= creator.tiers.count)
                numbers.append(post.number)
            }
        }
        #expect(numbers == Array(1...numbers.count))
        // About 8,000 posts per unit of scale.
        #expect(abs(Double(numbers.count) / 8_000 - 1) < 0.1)
    }

    @Test("the exodus takes the three largest creators in April, May and June 2024; one established creator goes viral")
    func anomalies() {
        let (_, creators) = Self.plan()
        let leaving = creators.filter { $0.departure != nil }.sorted { $0.departure! < $1.departure! }
        #expect(leaving.map(\.sizeRank).sorted() == [0, 1, 2])
        #expect(leaving.map { $0.departure!.date.month } == [4, 5, 6])
        #expect(leaving.allSatisfy { $0.departure!.date.year == 2024 })
        let viral = creators.filter(\.isViral)
        #expect(viral.count == 1)
        #expect(viral.first?.intendedTier == 1)
        #expect(viral.first?.category != CreatorCatalog.gamesCategory)
    }

    @Test("the number of creators follows the scale")
    func scaling() {
        #expect(Self.plan(scale: 10).1.count == 5_000)
        #expect(Self.plan(scale: 0.5).1.count == 250)
        #expect(CreatorParameters(scale: 0.001).creatorCount == 10)
    }

    @Test("the latest accessible post respects time and tier")
    func accessiblePosts() {
        var creator = Self.plan().1[0]
        let base = Timestamp(CivilDate(year: 2023, month: 3, day: 1))
        creator.posts = [
            PostPlan(number: 1, publishedAt: base, minimumRank: 0, type: 0, title: "a", isPinned: false),
            PostPlan(number: 2, publishedAt: base.adding(seconds: 100), minimumRank: 2, type: 0, title: "b", isPinned: false),
            PostPlan(number: 3, publishedAt: base.adding(seconds: 200), minimumRank: 1, type: 0, title: "c", isPinned: false),
        ]
        #expect(creator.latestAccessiblePost(before: base.adding(seconds: -1), rank: 3) == nil)
        #expect(creator.latestAccessiblePost(before: base, rank: 1) == 0)
        #expect(creator.latestAccessiblePost(before: base.adding(seconds: 150), rank: 1) == 0)
        #expect(creator.latestAccessiblePost(before: base.adding(seconds: 150), rank: 2) == 1)
        #expect(creator.latestAccessiblePost(before: base.adding(seconds: 999), rank: 1) == 2)
    }
}
