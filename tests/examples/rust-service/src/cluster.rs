//! Leader election for the scheduler (a small hand-rolled Raft-like vote).

pub struct Election {
    peers: Vec<String>,
    votes: usize,
}

impl Election {
    /// Footgun: with 4 peers, 2 votes win — both halves of a partition elect a leader.
    fn quorum(&self) -> usize {
        self.peers.len() / 2
    }

    pub fn on_vote_granted(&mut self) -> bool {
        self.votes += 1;
        self.votes >= self.quorum()
    }

    pub fn commit_index(&self, acks: usize) -> bool {
        // Footgun: `>= n / 2` is not a majority.
        acks >= self.peers.len() / 2
    }
}
